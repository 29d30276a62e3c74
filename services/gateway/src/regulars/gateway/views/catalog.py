"""The business's catalog and free times: ``/api/v1/b/{business}/services|staff|products|availability[/month]``."""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.clients.appointments import AppointmentsClient
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.tenancy import visitor
from regulars.shared.contracts import appointments as contract
from regulars.shared.http.app import json_response

TAG = "booking"
NOT_FOUND = {404: "business_not_found or service_not_found."}


async def list_services(request: web.Request) -> web.Response:
    return json_response(await AppointmentsClient.of(request).services(await visitor(request)))


async def list_staff(request: web.Request) -> web.Response:
    return json_response(await AppointmentsClient.of(request).staff(await visitor(request)))


async def list_products(request: web.Request) -> web.Response:
    return json_response(await AppointmentsClient.of(request).products(await visitor(request)))


async def search_availability(request: web.Request) -> web.Response:
    query = {k: v for k in ("service_id", "from", "to", "staff_id") if (v := request.query.get(k))}
    found = await AppointmentsClient.of(request).availability(await visitor(request), query)
    return json_response(found.model_dump(by_alias=True))


async def search_availability_month(request: web.Request) -> web.Response:
    query = {k: v for k in ("service_id", "month", "staff_id") if (v := request.query.get(k))}
    return json_response(await AppointmentsClient.of(request).availability_month(await visitor(request), query))


def register(routes: ApiRoutes) -> None:
    routes.route(
        "GET", "/api/v1/b/{business}/services", summary="Services bookable online", tag=TAG,
        response=contract.ServiceList, errors=NOT_FOUND,
    )(list_services)  # fmt: skip
    routes.route(
        "GET", "/api/v1/b/{business}/staff", summary="Staff and the services they perform", tag=TAG,
        response=contract.StaffList, errors=NOT_FOUND,
    )(list_staff)  # fmt: skip
    routes.route(
        "GET", "/api/v1/b/{business}/products", summary="Retail products that can be reserved (R-A5)", tag=TAG,
        response=contract.ProductList, errors=NOT_FOUND,
    )(list_products)  # fmt: skip
    routes.route(
        "GET", "/api/v1/b/{business}/availability",
        summary="Free times of a service: ?service_id=&from=&to=[&staff_id=] (dates or ISO 8601 times)",
        tag=TAG, response=contract.Availability,
        errors={**NOT_FOUND, 422: "validation_error, bad_range, range_too_long, staff_does_not_perform_service"},
    )(search_availability)  # fmt: skip
    routes.route(
        "GET", "/api/v1/b/{business}/availability/month",
        summary="A month's calendar of a service (R-A1): ?service_id=&month=YYYY-MM[&staff_id=]; each day open "
        "(with how many free times), full, closed or past, in the business's time zone",
        tag=TAG, response=contract.AvailabilityMonth,
        errors={**NOT_FOUND, 422: "validation_error, date_out_of_range, staff_does_not_perform_service"},
    )(search_availability_month)  # fmt: skip
