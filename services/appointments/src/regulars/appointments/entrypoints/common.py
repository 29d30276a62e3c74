"""Helpers of the appointments HTTP views: clock, principal, business, ids, times."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.service_layer.records import BookingScope
from regulars.appointments.service_layer.tenancy import business_by_id
from regulars.shared import clock
from regulars.shared.contracts import dates
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.errors import ApiError, FieldError
from regulars.shared.http.input import read_json
from regulars.shared.http.internal import principal_of

CLOCK: web.AppKey[clock.Clock] = web.AppKey("clock")


def now_of(request: web.Request) -> datetime:
    return request.app.get(CLOCK, clock.now)()


async def business_of(request: web.Request, conn: AsyncConnection) -> BusinessSnapshot:
    """The principal's business from this service's projection; 404 when unknown here."""
    principal = principal_of(request)
    if principal.business_id is None:
        raise ApiError(400, "business_required", "The call names no business.")
    return await business_by_id(conn, principal.business_id, principal.org_id)


def account_of(request: web.Request) -> uuid.UUID:
    """The signed-in client's account; 401 for a call without one."""
    account_id = principal_of(request).account_id
    if account_id is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    return account_id


def my_scope(request: web.Request) -> BookingScope:
    """The signed-in client's bookings: their account's, in the organization of the call."""
    return BookingScope(account_id=account_of(request), org_id=principal_of(request).org_id)


def path_id(request: web.Request, name: str = "id", what: str = "Booking") -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        code = what.lower().replace(" ", "_") + "_not_found"
        raise ApiError(404, code, f"{what} not found.") from exc


def query_id(request: web.Request, name: str, *, required: bool) -> uuid.UUID | None:
    value = request.query.get(name)
    if not value:
        if required:
            raise ApiError(422, "validation_error", f"'{name}' is required.")
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"'{name}' is not a valid id.") from exc


def query_time(request: web.Request, name: str, timezone: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 time with offset, or a date (midnight in the business's zone), within the years
    every service handles (``regulars.shared.contracts.dates``)."""
    value = request.query.get(name)
    if not value:
        raise ApiError(422, "validation_error", f"'{name}' is required (ISO 8601).")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            _check_range(name, day)
            if end_of_day:
                day = date.fromordinal(day.toordinal() + 1)
            return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(timezone))
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"'{name}' is not an ISO 8601 date or time.") from exc
    if moment.tzinfo is None:
        raise ApiError(422, "validation_error", f"'{name}' needs an offset, e.g. 2026-11-23T10:00:00+01:00.")
    _check_range(name, moment)
    return moment


def query_month(request: web.Request, name: str) -> date:
    """A month as ``YYYY-MM`` (its first day), within the years every service handles."""
    value = request.query.get(name, "")
    try:
        if len(value) != 7:
            raise ValueError(value)
        month = date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise ApiError(422, "validation_error", f"'{name}' is a month as YYYY-MM, e.g. 2026-11.") from exc
    _check_range(name, month)
    return month


def _check_range(name: str, value: date) -> None:
    if not dates.in_range(value):
        field = FieldError(field=name, code=dates.OUT_OF_RANGE, message=dates.OUT_OF_RANGE_MESSAGE)
        raise ApiError(422, "validation_error", f"'{name}': {dates.OUT_OF_RANGE_MESSAGE}", [field])


async def json_body(request: web.Request) -> Any:
    """The JSON body as data (for idempotency fingerprints); 400 when it is not JSON, 422 for bad text."""
    return read_json(await request.read())
