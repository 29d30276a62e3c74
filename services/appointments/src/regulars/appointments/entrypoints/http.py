"""Appointments' internal HTTP API for clients and guests (called by the gateway only).

The business comes from the principal; a client's account too. Every query is
scoped by both. Each handler reads the call, runs one use case and presents its answer.
"""

from __future__ import annotations

from typing import cast

from aiohttp import web

from regulars.appointments.entrypoints import presenters
from regulars.appointments.entrypoints.common import (
    account_of,
    business_of,
    json_body,
    my_scope,
    now_of,
    path_id,
    query_id,
    query_month,
    query_time,
)
from regulars.appointments.service_layer import availability, bookings, calendar_feeds, catalog, clients, listings
from regulars.shared import clock, idempotency
from regulars.shared.contracts import appointments as contract
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import json_response, parse_body, parse_query
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, add_internal_routes, principal_of
from regulars.shared.service import ENGINE, SETTINGS


async def list_services(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_services(conn, business.business_id, public=True)
    return json_response({"services": [presenters.service_item(s, public=True) for s in found]})


async def list_staff(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_staff(conn, business.business_id, public=True)
    return json_response({"staff": [presenters.staff_item(s, public=True) for s in found]})


async def list_products(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_products(conn, business.business_id, public=True)
    return json_response({"products": [presenters.product_item(p) for p in found]})


async def search_availability(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        service_id = query_id(request, "service_id", required=True)
        assert service_id is not None
        start = query_time(request, "from", business.timezone)
        end = query_time(request, "to", business.timezone, end_of_day=True)
        staff_id = query_id(request, "staff_id", required=False)
        _service, slots = await availability.search(conn, business, service_id, start, end, now_of(request), staff_id)
    return json_response(presenters.availability(service_id, business.timezone, start, end, slots))


async def search_month(request: web.Request) -> web.Response:
    """Which days of a month have free times (R-A1)."""
    service_id = query_id(request, "service_id", required=True)
    assert service_id is not None
    month, staff_id = query_month(request, "month"), query_id(request, "staff_id", required=False)
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await availability.search_month(conn, business, service_id, month, now_of(request), staff_id)
    return json_response(found)


async def create_booking(request: web.Request) -> web.Response:
    """Book as the signed-in client (account in the principal) or as a guest."""
    principal = principal_of(request)
    key = idempotency.validate_key(request.headers.get(idempotency.HEADER))
    body = await json_body(request)
    booking = contract.BookingRequest.model_validate(body)
    now = now_of(request)
    # The first answer is stored with the key and replayed to a retry (HTTP's concern, not a rule).
    scope = f"appointments.book:{principal.business_id}:{principal.account_id or 'guest'}"
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        stored = await idempotency.claim(uow.conn, scope, key, body)
        if stored is not None:
            return json_response(stored.body, status=stored.status)
        made = await bookings.book(
            uow,
            business,
            booking,
            actor="client" if principal.account_id else "guest",
            account_id=principal.account_id,
            now=now,
            public_url=request.app[SETTINGS].public_url,
        )
        answer = presenters.booking_created(made, now)
        await idempotency.remember(uow.conn, scope, key, 201, answer)
    return json_response(answer, status=201)


def _when(request: web.Request) -> contract.BookingWhen:
    when = request.query.get("when", "upcoming")
    if when == "past":
        return "past"
    if when == "upcoming":
        return "upcoming"
    raise ApiError(422, "validation_error", "'when' is 'upcoming' or 'past'.")


async def list_my_bookings(request: web.Request) -> web.Response:
    """The client's bookings, upcoming or past (R-A2), across the businesses their account
    works at (global client database), each labelled with its business; only those
    assigned to the account (R-A9), never deleted ones (R-A4)."""
    when = _when(request)
    now = now_of(request)
    async with request.app[ENGINE].connect() as conn:
        rows = await listings.list_mine(conn, my_scope(request), when, now)
    return json_response(contract.BookingList(when=when, bookings=[presenters.client_view(r, now) for r in rows]))


async def get_my_booking(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        row = await bookings.load(conn, path_id(request), my_scope(request), with_products=True)
    return json_response(presenters.booking_answer(row, now_of(request)))


async def get_my_policy(request: web.Request) -> web.Response:
    """Before acting: what each action is allowed until, any fee, and why not (R-S3)."""
    async with request.app[ENGINE].connect() as conn:
        row = await bookings.load(conn, path_id(request), my_scope(request))
    return json_response(presenters.policy(row, now_of(request)))


async def preview_my_reschedule(request: web.Request) -> web.Response:
    """Before moving: the booking as it is and as ``?start=&staff_id=`` would leave it (R-A3, R-S3)."""
    now = now_of(request)
    async with request.app[ENGINE].connect() as conn:
        # The booking before the query: someone else's booking is a 404 whatever was asked.
        row = await bookings.load(conn, path_id(request), my_scope(request))
        moved = await bookings.plan_reschedule(conn, row, parse_query(request, contract.RescheduleRequest), now=now)
    return json_response(presenters.reschedule_preview(row, moved, now))


async def _change(request: web.Request) -> bookings.Change:
    """The change a client or guest asks for: the action of the path, with its body."""
    action = request.match_info["action"]
    if action not in contract.ACTION_REQUESTS:
        raise ApiError(404, "not_found", "No such action.")
    model = contract.ACTION_REQUESTS[action]
    if model is None:
        return bookings.Confirm()
    return cast(bookings.Change, await parse_body(request, model))


async def act_on_my_booking(request: web.Request) -> web.Response:
    now = now_of(request)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        # The booking before the body: someone else's booking is a 404 whatever was sent.
        row = await bookings.load(uow.conn, path_id(request), my_scope(request), for_update=True)
        done = await bookings.change(uow, row, await _change(request), by="client", now=now)
    return json_response(presenters.booking_answer(done, now))


async def my_booking_calendar(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        row = await bookings.load(conn, path_id(request), my_scope(request))
    return json_response(presenters.calendar([row], f"booking-{row.id}.ics", now_of(request)))


async def my_history(request: web.Request) -> web.Response:
    """Completed services: what, the provider's name, the date and the location (R-A10)."""
    async with request.app[ENGINE].connect() as conn:
        rows = await listings.history(conn, my_scope(request))
    return json_response(presenters.history(rows))


async def my_prefill(request: web.Request) -> web.Response:
    """What the booking form can pre-fill for a returning client (R-I10)."""
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await clients.prefill(conn, business.business_id, account_of(request))
    return json_response(found)


# --- Calendar feed -------------------------------------------------------------------


async def _feed(request: web.Request, *, rotate: bool) -> web.Response:
    principal = principal_of(request)
    account_id = account_of(request)
    if principal.org_id is None:
        raise ApiError(400, "bad_principal", "The call names no organization.")
    settings = request.app[SETTINGS]
    async with UnitOfWork(request.app[ENGINE]) as uow:
        # The process's clock, not the app's policy clock: a generation only has to differ from the last.
        token = await calendar_feeds.feed_of(
            uow, account_id, principal.org_id, secret=settings.internal_token, rotate=rotate, issued_at=clock.now()
        )
    return json_response(presenters.calendar_feed(settings.public_url, token))


async def get_calendar_feed(request: web.Request) -> web.Response:
    """The secret webcal:// address of all the client's bookings (issued on first ask)."""
    return await _feed(request, rotate=False)


async def rotate_calendar_feed(request: web.Request) -> web.Response:
    """A new secret address; the old one stops working at once."""
    return await _feed(request, rotate=True)


async def calendar_feed(request: web.Request) -> web.Response:
    """The client's bookings as a calendar, for a subscribed calendar app (secret URL)."""
    async with request.app[ENGINE].connect() as conn:
        rows = await calendar_feeds.bookings_in_feed(conn, request.match_info["token"])
    return json_response(presenters.calendar(rows, "bookings.ics", now_of(request), name="My bookings"))


# --- Guests: signed manage links ------------------------------------------------------


async def guest_booking(request: web.Request) -> web.Response:
    """What a manage link shows; reading changes nothing (mail scanners follow links)."""
    token = request.query.get("token", "")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load_by_token(conn, business.business_id, token)
    return json_response(presenters.booking_answer(row, now_of(request)))


async def guest_calendar(request: web.Request) -> web.Response:
    token = request.query.get("token", "")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load_by_token(conn, business.business_id, token)
    return json_response(presenters.calendar([row], f"booking-{row.id}.ics", now_of(request)))


async def act_as_guest(request: web.Request) -> web.Response:
    token = request.headers.get("X-Manage-Token", "")
    now = now_of(request)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        row = await bookings.load_by_token(uow.conn, business.business_id, token, for_update=True)
        done = await bookings.change(uow, row, await _change(request), by="guest", now=now)
    return json_response(presenters.booking_answer(done, now))


async def preview_guest_reschedule(request: web.Request) -> web.Response:
    """A guest's ``preview_my_reschedule``, through the token of the manage link (``?token=``)."""
    now = now_of(request)
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load_by_token(conn, business.business_id, request.query.get("token", ""))
        moved = await bookings.plan_reschedule(conn, row, parse_query(request, contract.RescheduleRequest), now=now)
    return json_response(presenters.reschedule_preview(row, moved, now))


def setup_client_routes(app: web.Application) -> None:
    add_internal_routes(app.router, Audience.VISITOR, [
        ("GET", "/internal/catalog/services", list_services),
        ("GET", "/internal/catalog/staff", list_staff),
        ("GET", "/internal/catalog/products", list_products),
        ("GET", "/internal/availability", search_availability),
        ("GET", "/internal/availability/month", search_month),
        ("POST", "/internal/bookings", create_booking),
        # Guests: the signed token of the link, checked against the principal's business.
        ("GET", "/internal/manage", guest_booking),
        ("GET", "/internal/manage/calendar.ics", guest_calendar),
        ("GET", "/internal/manage/reschedule-preview", preview_guest_reschedule),
        ("POST", "/internal/manage/{action}", act_as_guest),
    ])  # fmt: skip
    add_internal_routes(app.router, Audience.CLIENT, [
        ("GET", "/internal/me/bookings", list_my_bookings),
        ("GET", "/internal/me/bookings/{id}", get_my_booking),
        ("GET", "/internal/me/bookings/{id}/policy", get_my_policy),
        ("GET", "/internal/me/bookings/{id}/calendar.ics", my_booking_calendar),
        ("GET", "/internal/me/bookings/{id}/reschedule-preview", preview_my_reschedule),
        ("POST", "/internal/me/bookings/{id}/{action}", act_on_my_booking),
        ("GET", "/internal/me/history", my_history),
        ("GET", "/internal/me/prefill", my_prefill),
        ("GET", "/internal/me/calendar-feed", get_calendar_feed),
        ("POST", "/internal/me/calendar-feed/rotate", rotate_calendar_feed),
    ])  # fmt: skip
    # The feed's secret token is the credential: a calendar app sends nothing else.
    add_internal_routes(app.router, Audience.OPEN, [("GET", "/internal/calendar-feeds/{token}.ics", calendar_feed)])
