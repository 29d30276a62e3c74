"""Calls from the gateway to a service: internal credential, principal, context ids.

Two rules keep a request's strings from choosing what a call reaches:

- An internal path is built by ``internal_path`` from a constant template and typed
  values, each percent-encoded as one segment; ``ServiceClient`` refuses any path that
  still holds ``..``, ``?``, ``#``, ``\\`` or NUL (last line of defence).
- Every internal route declares the principal it answers (``Audience``) and is added
  with ``add_internal_routes``: a staff route answers only a business principal, a
  client route only a client principal, and anything else is 404.
"""

from __future__ import annotations

import string
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import aiohttp
import structlog
from aiohttp import web

from regulars.shared import context
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.http.errors import ApiError, retry_after_of
from regulars.shared.logging import describe_error

log = structlog.get_logger(__name__)

ORG_HEADER = "X-Principal-Org"
BUSINESS_HEADER = "X-Principal-Business"
ACCOUNT_HEADER = "X-Principal-Account"


@dataclass(frozen=True)
class Principal:
    """Who a call is made for; services re-check every object against it."""

    org_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None

    def headers(self) -> dict[str, str]:
        pairs = {ORG_HEADER: self.org_id, BUSINESS_HEADER: self.business_id, ACCOUNT_HEADER: self.account_id}
        return {name: str(value) for name, value in pairs.items() if value is not None}

    @classmethod
    def from_headers(cls, headers: Any) -> Principal:
        def parse(name: str) -> uuid.UUID | None:
            value = headers.get(name)
            try:
                return uuid.UUID(value) if value else None
            except ValueError as exc:
                raise ApiError(400, "bad_principal", f"{name} is not a UUID.") from exc

        return cls(parse(ORG_HEADER), parse(BUSINESS_HEADER), parse(ACCOUNT_HEADER))


class Audience(StrEnum):
    """Which principal an internal route answers; any other is refused with 404."""

    STAFF = "staff"  # a business principal (an API key's business): organization and business, no account
    CLIENT = "client"  # a client principal: organization, business and the signed-in account
    VISITOR = "visitor"  # anyone at a business: a guest (no account) or a client
    OPEN = "open"  # no principal: the route checks its own secret (token, key, signature) or is a lookup


PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal", Principal)
InternalHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _allowed(audience: Audience, principal: Principal) -> bool:
    at_business = principal.org_id is not None and principal.business_id is not None
    if audience is Audience.STAFF:
        return at_business and principal.account_id is None
    if audience is Audience.CLIENT:
        return at_business and principal.account_id is not None
    if audience is Audience.VISITOR:
        return at_business
    return True


def for_audience(audience: Audience, handler: InternalHandler) -> InternalHandler:
    """The handler, answering only ``audience``; it reads the checked principal with ``principal_of``."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        principal = Principal.from_headers(request.headers)
        if not _allowed(audience, principal):
            # 404, not 403: a caller that may not use a route learns nothing about what it holds.
            raise ApiError(404, "not_found", "Not found.")
        request[PRINCIPAL] = principal
        return await handler(request)

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    setattr(guarded, "audience", audience)  # noqa: B010 - read by audience_of
    return guarded


def audience_of(handler: Any) -> Audience | None:
    """The audience a route handler was declared for, or None when it was added unguarded."""
    found = getattr(handler, "audience", None)
    return found if isinstance(found, Audience) else None


def add_internal_routes(
    router: web.UrlDispatcher, audience: Audience, routes: Iterable[tuple[str, str, InternalHandler]]
) -> None:
    """Add ``(method, path, handler)`` routes that all answer ``audience``."""
    for method, path, handler in routes:
        router.add_route(method, path, for_audience(audience, handler))


def unguarded_routes(app: web.Application) -> list[str]:
    """Internal routes added without an audience (a service refuses to start with any)."""
    return sorted(
        f"{route.method} {route.resource.canonical}"
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/internal/")
        and audience_of(route.handler) is None
    )


def principal_of(request: web.Request) -> Principal:
    """The principal the route's audience check accepted."""
    return request[PRINCIPAL]


class UnsafeInternalPath(ApiError):
    """An internal path that could reach another route than the one meant; never sent."""

    def __init__(self, path: str) -> None:
        super().__init__(404, "not_found", "Not found.")
        log.error("unsafe_internal_path", path=path[:200])


UNSAFE_IN_PATH = ("..", "?", "#", "\\", "\x00")


def internal_path(template: str, **values: uuid.UUID | str) -> str:
    """``template`` (a constant, e.g. ``/internal/me/bookings/{booking_id}/cancel``) with each
    ``{name}`` replaced by ``values[name]`` percent-encoded as one segment (``/`` too), so no
    value can add a segment, a query or a fragment. Values the template does not name are ignored."""
    encoded: dict[str, str] = {}
    for _text, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion or name not in values:
            raise ValueError(f"internal_path: {{{name}}} of {template!r} needs a plain typed value")
        text = str(values[name])
        if text in ("", ".", ".."):
            raise UnsafeInternalPath(template)
        encoded[name] = quote(text, safe="")
    return template.format(**encoded)


def check_internal_path(path: str) -> str:
    if not path.startswith("/") or any(part in path for part in UNSAFE_IN_PATH):
        raise UnsafeInternalPath(path)
    return path


class ServiceUnavailable(ApiError):
    def __init__(self, service: str) -> None:
        super().__init__(503, "service_unavailable", f"The {service} service is unavailable; try again shortly.")


class ServiceClient:
    """One per downstream service, sharing the gateway's ``ClientSession``."""

    def __init__(self, name: str, base_url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session

    async def request(
        self,
        method: str,
        path: str,
        principal: Principal | None,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The decoded JSON body (None when empty); errors from the service are re-raised as ``ApiError``.

        ``timeout`` is the call's deadline in seconds (the session's, from the settings, if None);
        a call past it answers 503 like an unreachable service."""
        check_internal_path(path)
        sent = {
            INTERNAL_TOKEN_HEADER: self._token,
            context.CORRELATION_ID_HEADER: context.current_correlation_id(),
            **(principal.headers() if principal else {}),
            **(headers or {}),
        }
        try:
            async with self._session.request(
                method,
                f"{self.base_url}{path}",
                json=json,
                params=params,
                headers=sent,
                timeout=aiohttp.ClientTimeout(total=timeout) if timeout is not None else self._session.timeout,
            ) as response:
                body = await response.json(content_type=None) if response.content_length != 0 else None
                status = response.status
                retry_after = retry_after_of(response.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("downstream_failed", service=self.name, path=path, error=describe_error(exc))
            raise ServiceUnavailable(self.name) from exc
        if status >= 500:
            raise ServiceUnavailable(self.name)
        if status >= 400:
            error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
            raise ApiError(
                status,
                error.get("code", "error"),
                error.get("message", "The request failed."),
                error.get("fields") or [],
                retry_after=retry_after,  # a 429 passes its Retry-After on to the caller
            )
        return body

    async def ready(self) -> dict[str, Any]:
        try:
            async with self._session.get(f"{self.base_url}/health/ready") as response:
                body = await response.json(content_type=None)
                return {"ready": response.status == 200, **(body if isinstance(body, dict) else {})}
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return {"ready": False, "status": "unreachable", "error": type(exc).__name__}
