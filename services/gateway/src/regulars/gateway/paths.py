"""Path parameters of the public API: every name has one type, checked before any view runs.

aiohttp decodes ``%2F``, ``%3F``, ``%00``… inside a parameter (``..%2F..%2Fadmin`` arrives
as ``../../admin``), so a value is accepted only when it matches its type in full; anything
else is 404 with the type's code, before authentication and before any downstream call.
``ApiRoutes`` checks every parameter of a route before its view runs; views read the
typed values (``path_uuid``, ``path_slug``, ``path_value``), never ``request.match_info``,
and build internal paths from them with ``internal_path``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from regulars.shared.http.errors import ApiError

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
FEED_PATTERN = r"^[A-Za-z0-9_-]{1,100}\.ics$"


@dataclass(frozen=True)
class PathParam:
    """A parameter's type: what it must match, its OpenAPI schema, and the 404 when it does not."""

    pattern: str
    code: str
    what: str
    parse: Callable[[str], Any] = str
    schema: dict[str, Any] = field(default_factory=dict)
    message: str = "{what} not found."

    def read(self, raw: str) -> Any:
        if re.fullmatch(self.pattern, raw) is None:
            raise ApiError(404, self.code, self.message.format(what=self.what, value=repr(raw[:80])))
        return self.parse(raw)

    def openapi_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": self.pattern, **self.schema}


def _uuid(code: str, what: str) -> PathParam:
    return PathParam(UUID_PATTERN, code, what, uuid.UUID, {"format": "uuid"})


# By name: a route with a parameter not named here does not register (ApiRoutes.route).
# The patterns are anchored for the OpenAPI document; ``read`` matches them in full (no "\n" after "$").
PATH_PARAMS: dict[str, PathParam] = {
    "business": PathParam(SLUG.pattern, "business_not_found", "Business", message="No business is called {value}."),
    "booking_id": _uuid("booking_not_found", "Booking"),
    "service_id": _uuid("service_not_found", "Service"),
    "staff_id": _uuid("staff_not_found", "Staff"),
    "time_off_id": _uuid("time_off_not_found", "Time off"),
    "product_id": _uuid("product_not_found", "Product"),
    "client_record_id": _uuid("client_not_found", "Client"),
    "account_id": _uuid("not_found", "Client account"),
    "pet_id": _uuid("not_found", "Pet"),
    "session_id": _uuid("not_found", "Session"),
    "message_id": _uuid("message_not_found", "Message"),
    "feed": PathParam(
        FEED_PATTERN,
        "calendar_feed_not_found",
        "Calendar feed",
        lambda raw: raw.removesuffix(".ics"),
        {"description": "The secret feed token followed by .ics"},
    ),
    "provider": PathParam(r"^(dev|twilio)$", "unknown_provider", "SMS provider", schema={"enum": ["dev", "twilio"]}),
}


def check_path(request: web.Request, names: list[str]) -> None:
    """Refuse the request (404) unless every named parameter has its type."""
    for name in names:
        path_value(request, name)


def path_value(request: web.Request, name: str) -> Any:
    """The typed value of a path parameter; 404 with its code when it does not match its type."""
    return PATH_PARAMS[name].read(request.match_info[name])


def path_uuid(request: web.Request, name: str) -> uuid.UUID:
    value = path_value(request, name)
    assert isinstance(value, uuid.UUID), name
    return value


def path_slug(request: web.Request) -> str:
    value = path_value(request, "business")
    assert isinstance(value, str)
    return value
