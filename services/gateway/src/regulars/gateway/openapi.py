"""Routes declared with their pydantic models, so the OpenAPI document is generated."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from regulars.gateway.paths import PATH_PARAMS, check_path
from regulars.shared.http.errors import ErrorResponse

ViewHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Auth = Literal["client", "optional_client", "business", "none"]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: ViewHandler
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    request: type[BaseModel] | None = None
    status: int = 200
    errors: dict[int, str] = field(default_factory=dict)
    auth: Auth | None = None

    @property
    def credentials(self) -> Auth:
        """Who may call: as declared, else by the path (``/api/v1/admin/…`` a business key,
        ``…/me…`` a client session, anything else open)."""
        if self.auth is not None:
            return self.auth
        if self.path.startswith("/api/v1/admin/"):
            return "business"
        return "client" if _ME.search(self.path) else "none"


class ApiRoutes:
    """A route table that also knows what each route takes and answers."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        response: type[BaseModel] | None = None,
        request: type[BaseModel] | None = None,
        status: int = 200,
        errors: dict[int, str] | None = None,
        auth: Auth | None = None,
    ) -> Callable[[ViewHandler], ViewHandler]:
        untyped = [name for name in _path_params(path) if name not in PATH_PARAMS]
        if untyped:
            raise ValueError(f"{method} {path}: give {untyped} a type in regulars.gateway.paths.PATH_PARAMS")

        def register(handler: ViewHandler) -> ViewHandler:
            self.operations.append(
                Operation(method, path, handler, summary, tag, response, request, status, errors or {}, auth)
            )
            return handler

        return register

    def add_to(self, app: web.Application) -> None:
        for op in self.operations:
            app.router.add_route(op.method, op.path, _typed_path(op))

    def openapi(self, title: str, version: str) -> dict[str, Any]:
        models: set[type[BaseModel]] = {ErrorResponse}
        for op in self.operations:
            models.update(m for m in (op.response, op.request) if m is not None)
        ordered = sorted(models, key=lambda m: m.__name__)
        refs, schema = models_json_schema(
            [(m, "serialization") for m in ordered], ref_template="#/components/schemas/{model}"
        )
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            # aiohttp's "{name:regex}" is not OpenAPI: the document shows "{name}".
            paths.setdefault(_PARAM.sub(r"{\1}", op.path), {})[op.method.lower()] = self._operation(op, refs)
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version},
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": schema.get("$defs", {}), "securitySchemes": SECURITY_SCHEMES},
        }

    @staticmethod
    def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
        def content(model: type[BaseModel]) -> dict[str, Any]:
            return {"application/json": {"schema": refs[(model, "serialization")]}}

        responses: dict[str, Any] = {
            str(op.status): {
                "description": "OK",
                **({"content": content(op.response)} if op.response else {}),
            }
        }
        for status, description in sorted(_errors(op).items()):
            responses[str(status)] = {"description": description, "content": content(ErrorResponse)}
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": PATH_PARAMS[name].openapi_schema()}
            for name in _path_params(op.path)
        ]
        spec: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": op.handler.__name__,
            "responses": responses,
        }
        if parameters:
            spec["parameters"] = parameters
        spec["security"] = SECURITY[op.credentials]
        if op.request is not None:
            spec["requestBody"] = {"required": True, "content": content(op.request)}
        return spec


# The cookie's name is regulars.gateway.auth.SESSION_COOKIE (not imported: auth needs this module's routes).
SECURITY_SCHEMES: dict[str, Any] = {
    "session": {
        "type": "http",
        "scheme": "bearer",
        "description": "A client's session token, from sign-in or verification (SignedIn.session.token).",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "regulars_session",
        "description": "The same session set as an HttpOnly cookie by the widget's sign-in; unsafe methods "
        "then also send X-CSRF-Token with the value of the regulars_csrf cookie.",
    },
    "businessApiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "rgk_…",
        "description": "A business API key (`python -m regulars.identity api-keys create`), for that business only.",
    },
}
_CLIENT: list[dict[str, list[str]]] = [{"session": []}, {"sessionCookie": []}]
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    "client": _CLIENT,
    "optional_client": [{}, *_CLIENT],
    "business": [{"businessApiKey": []}],
    "none": [],
}
MAX_BODY = "1 MiB"


def _errors(op: Operation) -> dict[int, str]:
    """The route's own errors, and those every route of its kind can give (the shared middlewares,
    the body reader, the path types, authentication), so the document lists every 4xx."""
    common: dict[int, str] = {
        405: "method_not_allowed: the path does not take this method.",
        422: "validation_error: a field, a query parameter or a header is not valid (each named in "
        "error.fields; text with a NUL character or an unpaired surrogate is never stored).",
    }
    if op.request is not None:
        common[400] = "invalid_json: the body is not JSON, or is nested more than 32 levels deep."
        common[422] += (
            " card_number_refused: the body holds a card number (a Luhn-valid number of 13 to 19 digits);"
            " cards are entered in the payment provider's form, never sent to this API."
        )
        common[413] = f"payload_too_large: the body is over {MAX_BODY}."
    if _path_params(op.path):
        common[404] = "A path parameter is not of its type, or names nothing this caller may see."
    if op.credentials in ("client", "business"):
        common[401] = "No credentials, or they are not valid any more."
    errors = dict(op.errors)
    for status, text in common.items():
        code = text.split(":", 1)[0]
        if status not in errors:
            errors[status] = text
        elif code not in errors[status] and status in (400, 422):
            errors[status] = f"{errors[status].rstrip('.')}; {text}"
    if 429 in errors and "Retry-After" not in errors[429]:
        errors[429] = f"{errors[429]} (the Retry-After header says after how many seconds to try again)"
    return errors


_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_ME = re.compile(r"^/api/v1/b/\{business\}/me(/|$)")


def _path_params(path: str) -> list[str]:
    """Names of the path's parameters, also inside a segment (``{token}.ics``) or with a regex."""
    return _PARAM.findall(path)


def _typed_path(op: Operation) -> ViewHandler:
    """The view, run only when every path parameter has its type (404 otherwise, before anything else)."""
    names = _path_params(op.path)
    if not names:
        return op.handler

    async def view(request: web.Request) -> web.StreamResponse:
        check_path(request, names)
        return await op.handler(request)

    return view
