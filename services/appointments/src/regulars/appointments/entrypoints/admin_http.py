"""Appointments' internal HTTP API for the business (the gateway checked its API key).

Every route answers only a business principal (``Audience.STAFF``: no account), and every
object is loaded within the principal's business.
"""

from __future__ import annotations

import uuid

from aiohttp import web
from pydantic import BaseModel

from regulars.appointments.domain.catalog import ProductSpec, ServiceSpec, StaffSpec, TimeOffSpec, WeeklyHoursSpec
from regulars.appointments.entrypoints import presenters
from regulars.appointments.entrypoints.common import business_of, now_of, path_id, query_id, query_time
from regulars.appointments.service_layer import assignment, bookings, catalog, clients, listings
from regulars.appointments.service_layer.records import BookingScope
from regulars.shared.contracts import appointments as contract
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, add_internal_routes
from regulars.shared.service import ENGINE, SETTINGS

# --- Catalog ---------------------------------------------------------------------------


async def admin_list_services(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_services(conn, business.business_id, public=False)
    return json_response({"services": [presenters.service_item(s, public=False) for s in found]})


async def admin_save_service(request: web.Request) -> web.Response:
    spec = await parse_body(request, ServiceSpec)
    service_id = path_id(request, what="Service") if "id" in request.match_info else None
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        saved = await catalog.save_service(uow.conn, business, spec, service_id)
    return json_response(
        {"service": presenters.service_item(saved, public=False)}, status=201 if service_id is None else 200
    )


async def admin_list_staff(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_staff(conn, business.business_id, public=False)
    return json_response({"staff": [presenters.staff_item(s, public=False) for s in found]})


async def admin_save_staff(request: web.Request) -> web.Response:
    spec = await parse_body(request, StaffSpec)
    staff_id = path_id(request, what="Staff") if "id" in request.match_info else None
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        saved = await catalog.save_staff(uow.conn, business, spec, staff_id)
    return json_response({"staff": presenters.staff_item(saved, public=False)}, status=201 if staff_id is None else 200)


async def admin_get_hours(request: web.Request) -> web.Response:
    staff_id = path_id(request, what="Staff")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        blocks = await catalog.get_hours(conn, business.business_id, staff_id)
    return json_response(presenters.working_blocks(blocks))


async def admin_set_hours(request: web.Request) -> web.Response:
    spec = await parse_body(request, WeeklyHoursSpec)
    staff_id = path_id(request, what="Staff")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        blocks = await catalog.set_hours(uow.conn, business.business_id, staff_id, spec)
    return json_response(presenters.working_blocks(blocks))


async def admin_list_time_off(request: web.Request) -> web.Response:
    staff_id = path_id(request, what="Staff")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_time_off(conn, business.business_id, staff_id)
    return json_response({"time_off": [presenters.time_off_item(t) for t in found]})


async def admin_add_time_off(request: web.Request) -> web.Response:
    spec = await parse_body(request, TimeOffSpec)
    staff_id = path_id(request, what="Staff")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        added = await catalog.add_time_off(uow.conn, business.business_id, staff_id, spec)
    return json_response({"time_off": presenters.time_off_item(added)}, status=201)


async def admin_delete_time_off(request: web.Request) -> web.Response:
    time_off_id = path_id(request, what="Time off")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        await catalog.delete_time_off(uow.conn, business.business_id, time_off_id)
    return web.Response(status=204)


async def admin_list_products(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_products(conn, business.business_id, public=False)
    return json_response({"products": [presenters.product_item(p) for p in found]})


async def admin_save_product(request: web.Request) -> web.Response:
    spec = await parse_body(request, ProductSpec)
    product_id = path_id(request, what="Product") if "id" in request.match_info else None
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        saved = await catalog.save_product(uow.conn, business, spec, product_id)
    return json_response({"product": presenters.product_item(saved)}, status=201 if product_id is None else 200)


# --- Bookings --------------------------------------------------------------------------


def _scope(business: BusinessSnapshot) -> BookingScope:
    return BookingScope(business_id=business.business_id)


async def admin_list_bookings(request: web.Request) -> web.Response:
    """Bookings of the business with whether each is assigned to an account (R-A8)."""
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        only = listings.BookingFilter(
            starts_from=query_time(request, "from", business.timezone) if request.query.get("from") else None,
            starts_before=(
                query_time(request, "to", business.timezone, end_of_day=True) if request.query.get("to") else None
            ),
            client_record_id=query_id(request, "client_id", required=False),
            include_deleted=request.query.get("include_deleted") == "true",
        )
        rows = await listings.list_for_business(conn, business.business_id, only)
    return json_response({"bookings": [presenters.staff_view(r) for r in rows]})


async def admin_get_booking(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load(conn, path_id(request), _scope(business), with_products=True)
    return json_response({"booking": presenters.staff_view(row)})


async def admin_book(request: web.Request) -> web.Response:
    """Staff book for a client (assignment per R-A6 / R-A7)."""
    booking = await parse_body(request, contract.BookingRequest)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        made = await bookings.book(
            uow,
            business,
            booking,
            actor="staff",
            account_id=None,
            now=now_of(request),
            public_url=request.app[SETTINGS].public_url,
        )
    return json_response({"booking": presenters.staff_view(made.row)}, status=201)


class AssignRequest(BaseModel):
    account_id: uuid.UUID


async def _staff_change(request: web.Request, action: str) -> bookings.Change:
    """The change staff ask for: the action of the path, with its body."""
    if action == "reschedule":
        return await parse_body(request, contract.RescheduleRequest)
    if action == "cancel":
        return await parse_body(request, contract.CancelRequest)
    if action in ("complete", "no-show"):
        return bookings.Mark("completed" if action == "complete" else "no_show")
    raise ApiError(404, "not_found", "No such action.")


async def admin_act(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    now = now_of(request)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        booking_id = path_id(request)
        if action == "assign":
            body = await parse_body(request, AssignRequest)
            done = await assignment.assign_one(uow, business, booking_id, body.account_id, now)
        else:
            # The booking before the body: another business's booking is a 404 whatever was sent.
            row = await bookings.load(uow.conn, booking_id, _scope(business), for_update=True)
            done = await bookings.change(uow, row, await _staff_change(request, action), by="staff", now=now)
    return json_response({"booking": presenters.staff_view(done)})


async def admin_delete_booking(request: web.Request) -> web.Response:
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        row = await bookings.load(uow.conn, path_id(request), _scope(business), for_update=True)
        await bookings.delete(uow, row, now=now_of(request))
    return web.Response(status=204)


async def admin_list_clients(request: web.Request) -> web.Response:
    """The business's client records with their booking counts and whether bulk assignment is offered."""
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await clients.list_records(conn, business.business_id)
    return json_response({"clients": [presenters.client_record(r) for r in found]})


async def admin_assign_all(request: web.Request) -> web.Response:
    client_id = path_id(request, what="Client")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        done = await assignment.assign_all_of_client(uow, business, client_id, now_of(request))
    return json_response(presenters.assigned_all(done))


def setup_admin_routes(app: web.Application) -> None:
    base = "/internal/admin"
    add_internal_routes(app.router, Audience.STAFF, [
        ("GET", f"{base}/services", admin_list_services),
        ("POST", f"{base}/services", admin_save_service),
        ("PUT", f"{base}/services/{{id}}", admin_save_service),
        ("GET", f"{base}/staff", admin_list_staff),
        ("POST", f"{base}/staff", admin_save_staff),
        ("PUT", f"{base}/staff/{{id}}", admin_save_staff),
        ("GET", f"{base}/staff/{{id}}/hours", admin_get_hours),
        ("PUT", f"{base}/staff/{{id}}/hours", admin_set_hours),
        ("GET", f"{base}/staff/{{id}}/time-off", admin_list_time_off),
        ("POST", f"{base}/staff/{{id}}/time-off", admin_add_time_off),
        ("DELETE", f"{base}/time-off/{{id}}", admin_delete_time_off),
        ("GET", f"{base}/products", admin_list_products),
        ("POST", f"{base}/products", admin_save_product),
        ("PUT", f"{base}/products/{{id}}", admin_save_product),
        ("GET", f"{base}/bookings", admin_list_bookings),
        ("POST", f"{base}/bookings", admin_book),
        ("GET", f"{base}/bookings/{{id}}", admin_get_booking),
        ("DELETE", f"{base}/bookings/{{id}}", admin_delete_booking),
        ("POST", f"{base}/bookings/{{id}}/{{action}}", admin_act),
        ("GET", f"{base}/clients", admin_list_clients),
        ("POST", f"{base}/clients/{{id}}/assign-all", admin_assign_all),
    ])  # fmt: skip
