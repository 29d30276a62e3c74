"""Appointments' internal HTTP API for clients and guests (called by the gateway only).

The business comes from the principal; a client's account too. Every query is
scoped by both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert as pg_insert

from regulars.appointments.adapters.tables import appointments, calendar_feeds
from regulars.appointments.domain.calendar import calendar_file
from regulars.appointments.entrypoints.common import (
    account_of,
    business_of,
    json_body,
    now_of,
    path_id,
    query_id,
    query_month,
    query_time,
)
from regulars.appointments.service_layer import availability, bookings, catalog, clients
from regulars.appointments.service_layer.records import booking_select, calendar_entry, client_view, reserved_of
from regulars.appointments.service_layer.records import business_of as row_business
from regulars.shared import idempotency
from regulars.shared.contracts import appointments as contract
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import normalize_email
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, add_internal_routes, principal_of
from regulars.shared.service import ENGINE, SETTINGS
from regulars.shared.tokens import token_digest


async def list_services(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_services(conn, business.business_id, public=True)
    return json_response({"services": found})


async def list_staff(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_staff(conn, business.business_id, public=True)
    return json_response({"staff": found})


async def list_products(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await catalog.list_products(conn, business.business_id, only_active=True)
    return json_response({"products": [p for p in found if p["stock"] > 0]})


async def search_availability(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        service_id = query_id(request, "service_id", required=True)
        assert service_id is not None
        start = query_time(request, "from", business.timezone)
        end = query_time(request, "to", business.timezone, end_of_day=True)
        staff_id = query_id(request, "staff_id", required=False)
        _service, slots = await availability.search(conn, business, service_id, start, end, now_of(request), staff_id)
    zone = ZoneInfo(business.timezone)
    return json_response(
        {
            "service_id": str(service_id),
            "timezone": business.timezone,
            "from": start.astimezone(zone).isoformat(),
            "to": end.astimezone(zone).isoformat(),
            "slots": [
                {
                    "start": s.start.astimezone(zone).isoformat(),
                    "end": s.end.astimezone(zone).isoformat(),
                    "staff_ids": [str(i) for i in s.staff_ids],
                }
                for s in slots
            ],
        }
    )


async def search_month(request: web.Request) -> web.Response:
    """Which days of a month have free times (R-A1)."""
    service_id = query_id(request, "service_id", required=True)
    assert service_id is not None
    month, staff_id = query_month(request, "month"), query_id(request, "staff_id", required=False)
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await availability.search_month(conn, business, service_id, month, now_of(request), staff_id)
    return json_response(found)


def _booking_answer(row: Any, now: datetime, extra: dict[str, Any]) -> dict[str, Any]:
    """A ``BookingCreated``; guests' fields only for guests."""
    answer = contract.BookingCreated.model_validate({"booking": client_view(row, now, []), **extra})
    return answer.model_dump(mode="json", exclude_unset=True)


async def create_booking(request: web.Request) -> web.Response:
    """Book as the signed-in client (account in the principal) or as a guest."""
    principal = principal_of(request)
    key = idempotency.validate_key(request.headers.get(idempotency.HEADER))
    body = await json_body(request)
    booking = contract.BookingRequest.model_validate(body)
    now = now_of(request)
    scope = f"appointments.book:{principal.business_id}:{principal.account_id or 'guest'}"
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        stored = await idempotency.claim(uow.conn, scope, key, body)
        if stored is not None:
            return json_response(stored.body, status=stored.status)
        actor: bookings.Actor = "client" if principal.account_id else "guest"
        made = await bookings.book(
            uow,
            business,
            booking,
            actor=actor,
            account_id=principal.account_id,
            now=now,
            public_url=request.app[SETTINGS].public_url,
        )
        extra: dict[str, Any] = {}
        if actor == "guest":
            extra["manage_link"] = made["manage_link"]
            # R-I1: the confirmation offers an account, pre-filled from the booking.
            extra["account_offer"] = {
                "first_name": booking.client.first_name,
                "last_name": booking.client.last_name,
                "email": normalize_email(booking.client.email),
                "phone": booking.client.phone,
            }
        answer = _booking_answer(made["row"], now, extra)
        await idempotency.remember(uow.conn, scope, key, 201, answer)
    return json_response(answer, status=201)


def _mine(request: web.Request) -> dict[str, Any]:
    principal = principal_of(request)
    scope: dict[str, Any] = {"account_id": account_of(request)}
    if principal.org_id is not None:
        scope["org_id"] = principal.org_id
    return scope


async def list_my_bookings(request: web.Request) -> web.Response:
    """The client's bookings, upcoming or past (R-A2), across the businesses their account
    works at (global client database), each labelled with its business; only those
    assigned to the account (R-A9), never deleted ones (R-A4)."""
    when = request.query.get("when", "upcoming")
    if when != "upcoming" and when != "past":
        raise ApiError(422, "validation_error", "'when' is 'upcoming' or 'past'.")
    now = now_of(request)
    scope = _mine(request)
    query = booking_select().where(appointments.c.deleted_at.is_(None))
    for column, value in scope.items():
        query = query.where(appointments.c[column] == value)
    live = appointments.c.status.in_(("booked", "confirmed")) & (appointments.c.starts_at > now)
    if when == "upcoming":
        query = query.where(live).order_by(appointments.c.starts_at)
    else:
        query = query.where(~live).order_by(appointments.c.starts_at.desc())
    async with request.app[ENGINE].connect() as conn:
        rows = (await conn.execute(query.limit(200))).all()
        reserved = await reserved_of(conn, [r.id for r in rows])
    found = [client_view(r, now, reserved.get(r.id, [])) for r in rows]
    return json_response(contract.BookingList(when=when, bookings=found))


async def _my_row(request: web.Request, conn: Any, *, for_update: bool = False) -> Any:
    return await bookings.load(conn, path_id(request), for_update=for_update, **_mine(request))


async def get_my_booking(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        row = await _my_row(request, conn)
        reserved = await reserved_of(conn, [row.id])
    return json_response(contract.BookingAnswer(booking=client_view(row, now_of(request), reserved.get(row.id, []))))


async def get_my_policy(request: web.Request) -> web.Response:
    """Before acting: what each action is allowed until, any fee, and why not (R-S3)."""
    async with request.app[ENGINE].connect() as conn:
        row = await _my_row(request, conn)
    return json_response(_policy(row, now_of(request)))


def _policy(row: Any, now: datetime) -> contract.Policy:
    business = row_business(row)
    policy = business.settings.booking_policy
    return contract.Policy(
        booking_id=str(row.id),
        timezone=business.timezone,
        now=now.astimezone(ZoneInfo(business.timezone)).isoformat(),
        policy={
            "online_reschedule": policy.online_reschedule,
            "online_cancel": policy.online_cancel,
            "reschedule_window_hours": policy.reschedule_window_hours,
            "cancel_window_hours": policy.cancel_window_hours,
        },
        actions=client_view(row, now, []).actions,
    )


async def _act(request: web.Request, row_loader: Any, by: bookings.Actor) -> web.Response:
    action = request.match_info["action"]
    now = now_of(request)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        row = await row_loader(uow.conn)
        if action == "reschedule":
            done = await bookings.reschedule(
                uow, row, await parse_body(request, contract.RescheduleRequest), by=by, now=now
            )
        elif action == "cancel":
            done = await bookings.cancel(uow, row, await parse_body(request, contract.CancelRequest), by=by, now=now)
        elif action == "confirm":
            done = await bookings.confirm(uow, row, now=now)
        elif action == "products":
            await bookings.reserve_product(uow, row, await parse_body(request, contract.ProductReservation), now=now)
            done = await bookings.load(uow.conn, row.id)
        else:
            raise ApiError(404, "not_found", "No such action.")
        reserved = await reserved_of(uow.conn, [done.id])
    return json_response(contract.BookingAnswer(booking=client_view(done, now, reserved.get(done.id, []))))


async def act_on_my_booking(request: web.Request) -> web.Response:
    return await _act(request, lambda conn: _my_row(request, conn, for_update=True), "client")


def _ics(body: bytes, filename: str) -> web.Response:
    # JSON inside the system; the gateway answers text/calendar.
    return json_response(contract.CalendarFile(filename=filename, ics=body.decode()))


async def my_booking_calendar(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        row = await _my_row(request, conn)
    return _ics(calendar_file([calendar_entry(row)], stamp=now_of(request)), f"booking-{row.id}.ics")


async def my_history(request: web.Request) -> web.Response:
    """Completed services: what, the provider's name, the date and the location (R-A10)."""
    query = booking_select().where(appointments.c.deleted_at.is_(None), appointments.c.status == "completed")
    for column, value in _mine(request).items():
        query = query.where(appointments.c[column] == value)
    async with request.app[ENGINE].connect() as conn:
        rows = (await conn.execute(query.order_by(appointments.c.starts_at.desc()).limit(500))).all()
    items = []
    for r in rows:
        business = row_business(r)
        items.append(
            {
                "kind": "service",
                "booking_id": str(r.id),
                "what": r.service_name,
                "provider": r.staff_name,
                "date": r.starts_at.astimezone(ZoneInfo(business.timezone)).isoformat(),
                "location": {"slug": business.slug, "name": business.name},
                "price_minor": r.price_minor,
                "currency": r.currency,
            }
        )
    return json_response({"history": items})


async def my_prefill(request: web.Request) -> web.Response:
    """What the booking form can pre-fill for a returning client (R-I10)."""
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await clients.prefill(conn, business.business_id, account_of(request))
    return json_response(found)


# --- Calendar feed -------------------------------------------------------------------


def _feed_token(request: web.Request, account_id: Any, generation: datetime) -> str:
    """The feed secret, derived from the account and the time it was (re)issued: the same URL
    is shown again until the client rotates it, and only its hash is stored."""
    key = request.app[SETTINGS].internal_token.encode()
    mac = hmac.new(key, f"calendar-feed:{account_id}:{generation.isoformat()}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def _feed_answer(request: web.Request, token: str) -> web.Response:
    host = request.app[SETTINGS].public_url.split("://", 1)[-1].rstrip("/")
    path = f"/api/v1/calendar-feeds/{token}.ics"
    scheme = request.app[SETTINGS].public_url.split("://", 1)[0]
    return json_response({"url": f"webcal://{host}{path}", "https_url": f"{scheme}://{host}{path}"})


async def _feed(request: web.Request, *, rotate: bool) -> web.Response:
    principal = principal_of(request)
    account_id = account_of(request)
    if principal.org_id is None:
        raise ApiError(400, "bad_principal", "The call names no organization.")
    # The wall clock, not the policy clock: a generation only has to differ from the last.
    now = datetime.now(UTC)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        row = (
            await uow.conn.execute(
                sa.select(calendar_feeds).where(calendar_feeds.c.account_id == account_id).with_for_update()
            )
        ).first()
        if row is not None and not rotate:
            return _feed_answer(request, _feed_token(request, account_id, row.created_at))
        token = _feed_token(request, account_id, now)
        digest = token_digest(token).hex()
        insert = pg_insert(calendar_feeds).values(
            account_id=account_id, org_id=principal.org_id, token_hash=digest, created_at=now
        )
        await uow.conn.execute(
            insert.on_conflict_do_update(
                index_elements=[calendar_feeds.c.account_id],
                set_={"token_hash": insert.excluded.token_hash, "created_at": insert.excluded.created_at},
            )
        )
    return _feed_answer(request, token)


async def get_calendar_feed(request: web.Request) -> web.Response:
    """The secret webcal:// address of all the client's bookings (issued on first ask)."""
    return await _feed(request, rotate=False)


async def rotate_calendar_feed(request: web.Request) -> web.Response:
    """A new secret address; the old one stops working at once."""
    return await _feed(request, rotate=True)


async def calendar_feed(request: web.Request) -> web.Response:
    """The client's bookings as a calendar, for a subscribed calendar app (secret URL)."""
    token = request.match_info["token"]
    digest = token_digest(token).hex()
    async with request.app[ENGINE].connect() as conn:
        feed = (await conn.execute(sa.select(calendar_feeds).where(calendar_feeds.c.token_hash == digest))).first()
        if feed is None:
            raise ApiError(404, "calendar_feed_not_found", "This calendar address is not valid any more.")
        rows = (
            await conn.execute(
                booking_select()
                .where(
                    appointments.c.account_id == feed.account_id,
                    appointments.c.org_id == feed.org_id,
                    appointments.c.deleted_at.is_(None),
                    appointments.c.status.in_(("booked", "confirmed", "cancelled", "completed")),
                )
                .order_by(appointments.c.starts_at)
                .limit(1000)
            )
        ).all()
    body = calendar_file([calendar_entry(r) for r in rows], stamp=now_of(request), name="My bookings")
    return _ics(body, "bookings.ics")


# --- Guests: signed manage links ------------------------------------------------------


class ManageToken(BaseModel):
    token: str


async def guest_booking(request: web.Request) -> web.Response:
    """What a manage link shows; reading changes nothing (mail scanners follow links)."""
    token = request.query.get("token", "")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load_by_token(conn, business.business_id, token)
    return json_response(contract.BookingAnswer(booking=client_view(row, now_of(request), [])))


async def guest_calendar(request: web.Request) -> web.Response:
    token = request.query.get("token", "")
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        row = await bookings.load_by_token(conn, business.business_id, token)
    return _ics(calendar_file([calendar_entry(row)], stamp=now_of(request)), f"booking-{row.id}.ics")


async def act_as_guest(request: web.Request) -> web.Response:
    token = request.headers.get("X-Manage-Token", "")

    async def loader(conn: Any) -> Any:
        business = await business_of(request, conn)
        return await bookings.load_by_token(conn, business.business_id, token, for_update=True)

    return await _act(request, loader, "guest")


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
        ("POST", "/internal/manage/{action}", act_as_guest),
    ])  # fmt: skip
    add_internal_routes(app.router, Audience.CLIENT, [
        ("GET", "/internal/me/bookings", list_my_bookings),
        ("GET", "/internal/me/bookings/{id}", get_my_booking),
        ("GET", "/internal/me/bookings/{id}/policy", get_my_policy),
        ("GET", "/internal/me/bookings/{id}/calendar.ics", my_booking_calendar),
        ("POST", "/internal/me/bookings/{id}/{action}", act_on_my_booking),
        ("GET", "/internal/me/history", my_history),
        ("GET", "/internal/me/prefill", my_prefill),
        ("GET", "/internal/me/calendar-feed", get_calendar_feed),
        ("POST", "/internal/me/calendar-feed/rotate", rotate_calendar_feed),
    ])  # fmt: skip
    # The feed's secret token is the credential: a calendar app sends nothing else.
    add_internal_routes(app.router, Audience.OPEN, [("GET", "/internal/calendar-feeds/{token}.ics", calendar_feed)])
