"""The business's catalog and bookings through its API key: ``/api/v1/admin/businesses/{business}/…``.

Services, staff, weekly hours, time off, retail products (R-A5); bookings made, moved,
cancelled, completed, marked no-show or deleted by staff (R-A4); assignment of bookings
to client accounts, one or all of a client's (R-A8).
"""

from __future__ import annotations

import re
import string
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.gateway.auth import require_business_key
from regulars.gateway.caller import business_principal
from regulars.gateway.clients.appointments import AppointmentsClient
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid
from regulars.shared.contracts.appointments import BookingRequest, CancelRequest, RescheduleRequest
from regulars.shared.http.app import json_response
from regulars.shared.http.input import read_json
from regulars.shared.http.internal import internal_path

TAG = "business appointments"
BASE = "/api/v1/admin/businesses/{business}"
AUTH = {
    401: "invalid_api_key: no key, or not a live key.",
    404: "business_not_found (the key belongs to another business), or the object does not exist.",
    422: "validation_error and the codes of each field.",
}


class ServiceSpec(BaseModel):
    name: str
    description: str = ""
    category: str = ""
    duration_minutes: int
    buffer_minutes: int = 0
    price_minor: int
    currency: str
    staff_ids: list[str] = []
    online_booking: bool = True
    prepayment_required: bool = False
    intake_questions: list[dict[str, Any]] = []
    active: bool = True


class StaffSpec(BaseModel):
    name: str
    title: str = ""
    service_ids: list[str] | None = None
    active: bool = True


class HoursBlock(BaseModel):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    start: str = Field(description="Wall-clock time in the business's zone, HH:MM")
    end: str


class WeeklyHours(BaseModel):
    blocks: list[HoursBlock]


class TimeOffSpec(BaseModel):
    starts_at: str
    ends_at: str
    reason: str = ""


class ProductSpec(BaseModel):
    name: str
    description: str = ""
    price_minor: int
    currency: str
    stock: int = 0
    active: bool = True


class AssignRequest(BaseModel):
    account_id: str


class Passthrough(BaseModel):
    """The appointments service's answer (see the service's documentation of each object)."""

    model_config = {"extra": "allow"}


def _forward(method: str, internal: str, *, body: type[BaseModel] | None = None) -> Any:
    ids = [name for _, name, _, _ in string.Formatter().parse(internal) if name]

    async def view(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        path = internal_path(internal, **{name: path_uuid(request, name) for name in ids})
        payload = None
        if body is not None:
            payload = read_json(await request.read())
        params = dict(request.query) if method == "GET" else None
        status, answer = await AppointmentsClient.of(request).admin(
            business_principal(business), method, path, body=payload, params=params
        )
        if answer is None:
            return web.Response(status=status)
        return json_response(answer, status=status)

    return view


ROUTES: list[tuple[str, str, str, type[BaseModel] | None, int]] = [
    ("GET", "/services", "List services", None, 200),
    ("POST", "/services", "Create a service", ServiceSpec, 201),
    ("PUT", "/services/{service_id}", "Replace a service", ServiceSpec, 200),
    ("GET", "/staff", "List staff", None, 200),
    ("POST", "/staff", "Add a staff member", StaffSpec, 201),
    ("PUT", "/staff/{staff_id}", "Replace a staff member", StaffSpec, 200),
    ("GET", "/staff/{staff_id}/hours", "Weekly working hours", None, 200),
    ("PUT", "/staff/{staff_id}/hours", "Replace weekly hours", WeeklyHours, 200),
    ("GET", "/staff/{staff_id}/time-off", "Time off of a staff member", None, 200),
    ("POST", "/staff/{staff_id}/time-off", "Add time off", TimeOffSpec, 201),
    ("DELETE", "/time-off/{time_off_id}", "Remove time off", None, 204),
    ("GET", "/products", "Retail products (R-A5)", None, 200),
    ("POST", "/products", "Add a retail product", ProductSpec, 201),
    ("PUT", "/products/{product_id}", "Replace a retail product", ProductSpec, 200),
    (
        "GET", "/bookings",
        "Bookings (?from=&to=&client_id=&include_deleted=) with whether each is assigned to an account (R-A8)",
        None, 200,
    ),
    ("POST", "/bookings", "Book for a client (R-A6/R-A7)", BookingRequest, 201),
    ("GET", "/bookings/{booking_id}", "One booking", None, 200),
    ("DELETE", "/bookings/{booking_id}", "Delete (gone for the client, R-A4)", None, 204),
    ("POST", "/bookings/{booking_id}/reschedule", "Move a booking", RescheduleRequest, 200),
    ("POST", "/bookings/{booking_id}/cancel", "Cancel a booking", CancelRequest, 200),
    ("POST", "/bookings/{booking_id}/complete", "Mark completed", None, 200),
    ("POST", "/bookings/{booking_id}/no-show", "Mark no-show", None, 200),
    ("POST", "/bookings/{booking_id}/assign", "Assign a booking to a client account (R-A8)", AssignRequest, 200),
    (
        "GET", "/client-records",
        "The business's client records (CRM), with whether 'assign all' is offered (R-A8)", None, 200,
    ),
    (
        "POST", "/client-records/{client_record_id}/assign-all",
        "Assign all of a client's bookings to the one linked account (R-A8)", None, 200,
    ),
]  # fmt: skip


def register(routes: ApiRoutes) -> None:
    for method, tail, summary, body, status in ROUTES:
        view = _forward(method, "/internal/admin" + tail.replace("/client-records", "/clients", 1), body=body)
        # Operation ids name a path parameter "id" whatever its type (admin_put_services_id).
        view.__name__ = "admin_" + re.sub(r"\{\w+\}", "id", method.lower() + tail).replace("/", "_").replace("-", "_")
        routes.route(
            method,
            BASE + tail,
            summary=summary,
            tag=TAG,
            request=body,
            response=Passthrough if status != 204 else None,
            status=status,
            errors=AUTH,
        )(view)
