"""The business's catalog and bookings through its API key: ``/api/v1/admin/businesses/{business}/…``.

Services, staff, weekly hours, time off, retail products (R-A5); bookings made, moved,
cancelled, completed, marked no-show or deleted by staff (R-A4); assignment of bookings
to client accounts, one or all of a client's (R-A8).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.gateway.auth import require_business_key
from regulars.gateway.clients.appointments import AppointmentsClient
from regulars.gateway.clients.base import Json, NoContent
from regulars.gateway.openapi import ApiRoutes, ViewHandler
from regulars.gateway.paths import path_uuid
from regulars.shared.contracts.appointments import BookingRequest, CancelRequest, RescheduleRequest
from regulars.shared.http.app import json_response, parse_body
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


@dataclass(frozen=True)
class StaffRoute:
    """A route of the business's API that appointments answers: the request passes as it came (the
    service validates it; ``body`` documents it) and the answer comes back as the service gave it."""

    handler: ViewHandler
    method: str
    tail: str  # under BASE, and under /internal/admin (where client records are /clients)
    summary: str
    body: type[BaseModel] | None
    status: int

    @property
    def internal(self) -> str:
        return "/internal/admin" + self.tail.replace("/client-records", "/clients", 1)

    def ids(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.tail) if name]


async def _relay(request: web.Request) -> web.Response:
    resource = request.match_info.route.resource
    assert resource is not None  # a routed request
    route = BY_PATH[request.method, resource.canonical]
    business = await require_business_key(request)
    path = internal_path(route.internal, **{name: path_uuid(request, name) for name in route.ids()})
    body = await parse_body(request, Json) if route.body is not None else None
    params = dict(request.query) if route.method == "GET" else None
    appointments = AppointmentsClient.of(request)
    if route.status == 204:
        await appointments.admin(NoContent, business, route.method, path, body=body)
        return web.Response(status=204)
    answer = await appointments.admin(Passthrough, business, route.method, path, body=body, params=params)
    return json_response(answer, status=route.status)


async def admin_get_services(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_services(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_put_services_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_staff(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_staff(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_put_staff_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_staff_id_hours(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_put_staff_id_hours(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_staff_id_time_off(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_staff_id_time_off(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_delete_time_off_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_products(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_products(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_put_products_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_bookings(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_bookings_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_delete_bookings_id(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings_id_reschedule(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings_id_cancel(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings_id_complete(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings_id_no_show(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_bookings_id_assign(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_get_client_records(request: web.Request) -> web.Response:
    return await _relay(request)


async def admin_post_client_records_id_assign_all(request: web.Request) -> web.Response:
    return await _relay(request)


ROUTES: list[StaffRoute] = [
    StaffRoute(admin_get_services, "GET", "/services", "List services", None, 200),
    StaffRoute(admin_post_services, "POST", "/services", "Create a service", ServiceSpec, 201),
    StaffRoute(admin_put_services_id, "PUT", "/services/{service_id}", "Replace a service", ServiceSpec, 200),
    StaffRoute(admin_get_staff, "GET", "/staff", "List staff", None, 200),
    StaffRoute(admin_post_staff, "POST", "/staff", "Add a staff member", StaffSpec, 201),
    StaffRoute(admin_put_staff_id, "PUT", "/staff/{staff_id}", "Replace a staff member", StaffSpec, 200),
    StaffRoute(admin_get_staff_id_hours, "GET", "/staff/{staff_id}/hours", "Weekly working hours", None, 200),
    StaffRoute(admin_put_staff_id_hours, "PUT", "/staff/{staff_id}/hours", "Replace weekly hours", WeeklyHours, 200),
    StaffRoute(admin_get_staff_id_time_off, "GET", "/staff/{staff_id}/time-off", "Time off of a staff member",
               None, 200),
    StaffRoute(admin_post_staff_id_time_off, "POST", "/staff/{staff_id}/time-off", "Add time off", TimeOffSpec, 201),
    StaffRoute(admin_delete_time_off_id, "DELETE", "/time-off/{time_off_id}", "Remove time off", None, 204),
    StaffRoute(admin_get_products, "GET", "/products", "Retail products (R-A5)", None, 200),
    StaffRoute(admin_post_products, "POST", "/products", "Add a retail product", ProductSpec, 201),
    StaffRoute(admin_put_products_id, "PUT", "/products/{product_id}", "Replace a retail product", ProductSpec, 200),
    StaffRoute(admin_get_bookings, "GET", "/bookings",
               "Bookings (?from=&to=&client_id=&include_deleted=) with whether each is assigned to an account (R-A8)",
               None, 200),
    StaffRoute(admin_post_bookings, "POST", "/bookings", "Book for a client (R-A6/R-A7)", BookingRequest, 201),
    StaffRoute(admin_get_bookings_id, "GET", "/bookings/{booking_id}", "One booking", None, 200),
    StaffRoute(admin_delete_bookings_id, "DELETE", "/bookings/{booking_id}", "Delete (gone for the client, R-A4)",
               None, 204),
    StaffRoute(admin_post_bookings_id_reschedule, "POST", "/bookings/{booking_id}/reschedule", "Move a booking",
               RescheduleRequest, 200),
    StaffRoute(admin_post_bookings_id_cancel, "POST", "/bookings/{booking_id}/cancel", "Cancel a booking",
               CancelRequest, 200),
    StaffRoute(admin_post_bookings_id_complete, "POST", "/bookings/{booking_id}/complete", "Mark completed",
               None, 200),
    StaffRoute(admin_post_bookings_id_no_show, "POST", "/bookings/{booking_id}/no-show", "Mark no-show", None, 200),
    StaffRoute(admin_post_bookings_id_assign, "POST", "/bookings/{booking_id}/assign",
               "Assign a booking to a client account (R-A8)", AssignRequest, 200),
    StaffRoute(admin_get_client_records, "GET", "/client-records",
               "The business's client records (CRM), with whether 'assign all' is offered (R-A8)", None, 200),
    StaffRoute(admin_post_client_records_id_assign_all, "POST", "/client-records/{client_record_id}/assign-all",
               "Assign all of a client's bookings to the one linked account (R-A8)", None, 200),
]  # fmt: skip
BY_PATH = {(route.method, BASE + route.tail): route for route in ROUTES}


def register(routes: ApiRoutes) -> None:
    for route in ROUTES:
        routes.route(
            route.method, BASE + route.tail, summary=route.summary, tag=TAG, request=route.body,
            response=Passthrough if route.status != 204 else None, status=route.status, errors=AUTH,
        )(route.handler)  # fmt: skip
