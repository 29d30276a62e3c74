"""Helpers of the appointments HTTP views: the shared ones (``regulars.shared.http.handlers``), query ids, times."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.service_layer.records import BookingScope
from regulars.shared.contracts import dates
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http import handlers
from regulars.shared.http.errors import ApiError, FieldError
from regulars.shared.http.handlers import CLOCK, account_of, json_body, now_of, path_id
from regulars.shared.http.internal import principal_of

__all__ = ["CLOCK", "account_of", "business_of", "json_body", "my_scope", "now_of", "path_id", "query_id", "query_time"]


async def business_of(request: web.Request, conn: AsyncConnection) -> BusinessSnapshot:
    """The principal's business from this service's projection; 404 when unknown here."""
    return await handlers.business_of(request, conn, "appointments")


def my_scope(request: web.Request) -> BookingScope:
    """The signed-in client's bookings: their account's, in the organization of the call."""
    return BookingScope(account_id=account_of(request), org_id=principal_of(request).org_id)


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
