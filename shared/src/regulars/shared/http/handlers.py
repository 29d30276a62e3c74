"""What a service's internal handlers read from a request, one way for every service: the clock,
the principal's business (from the service's own projection), ids in the path, the JSON body."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.errors import ApiError
from regulars.shared.http.input import read_json
from regulars.shared.http.internal import principal_of
from regulars.shared.tenancy import known_business

CLOCK: web.AppKey[clock.Clock] = web.AppKey("clock")
"""A test may set another clock on the application; otherwise the process's (``clock.now``)."""


def now_of(request: web.Request) -> datetime:
    return request.app.get(CLOCK, clock.now)()


async def business_of(request: web.Request, conn: AsyncConnection, service: str) -> BusinessSnapshot:
    """The principal's business from ``service``'s projection; 404 when unknown there."""
    principal = principal_of(request)
    if principal.business_id is None:
        raise ApiError(400, "business_required", "The call names no business.")
    return await known_business(conn, principal.business_id, principal.org_id, service)


def account_of(request: web.Request) -> uuid.UUID:
    """The signed-in client's account; 401 for a call without one."""
    account_id = principal_of(request).account_id
    if account_id is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    return account_id


def path_id(request: web.Request, name: str = "id", what: str = "Booking") -> uuid.UUID:
    """The UUID in the path's ``{name}``; 404 ``<what>_not_found`` for anything else."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        code = what.lower().replace(" ", "_") + "_not_found"
        raise ApiError(404, code, f"{what} not found.") from exc


async def json_body(request: web.Request) -> Any:
    """The JSON body as data (for idempotency fingerprints); 400 when it is not JSON, 422 for bad text."""
    return read_json(await request.read())
