"""Routes declared with their pydantic models, so the OpenAPI document is generated."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from regulars.gateway.paths import PATH_PARAMS, check_path
from regulars.shared.http.errors import ErrorResponse

ViewHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    ) -> Callable[[ViewHandler], ViewHandler]:
        untyped = [name for name in _path_params(path) if name not in PATH_PARAMS]
        if untyped:
            raise ValueError(f"{method} {path}: give {untyped} a type in regulars.gateway.paths.PATH_PARAMS")

        def register(handler: ViewHandler) -> ViewHandler:
            self.operations.append(
                Operation(method, path, handler, summary, tag, response, request, status, errors or {})
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
            "components": {"schemas": schema.get("$defs", {})},
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
        for status, description in sorted(op.errors.items()):
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
        if op.request is not None:
            spec["requestBody"] = {"required": True, "content": content(op.request)}
        return spec


_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


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
