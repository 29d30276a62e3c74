"""The booking lifecycle: book, reschedule, cancel, confirm, complete, no-show, delete, products.

Every use case takes ``now`` from the caller (the service's injected clock), so the
business's policy windows (R-S3, R-A3) are enforced with the server's own time and
tests can move it.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import appointments, products, reserved_products, staff
from regulars.appointments.domain import assignment
from regulars.appointments.domain.availability import MAX_AHEAD, Interval, is_free
from regulars.appointments.domain.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Invalid,
    NotFound,
    PolicyRefused,
    SignInRequired,
    SlotUnavailable,
)
from regulars.appointments.domain.policy import Action
from regulars.appointments.service_layer import clients
from regulars.appointments.service_layer.availability import BookableService, load_calendars, load_service
from regulars.appointments.service_layer.records import (
    Actor,
    BookingRow,
    BookingScope,
    booking_select,
    calendar_text,
    client_rules,
    facts,
    local,
    read_bookings,
)
from regulars.shared.contracts import appointments as events
from regulars.shared.contracts.appointments import (
    AccountOffer,
    BookingRequest,
    CancelRequest,
    ProductReservation,
    RescheduleRequest,
)
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import normalize_email
from regulars.shared.links import widget_link
from regulars.shared.tokens import token_digest

EXCLUSION_VIOLATION = "23P01"
T = TypeVar("T")


@dataclass(frozen=True)
class Booked:
    """A new booking, the manage link its email carries and, for a guest, the account the
    confirmation offers (R-I1)."""

    row: BookingRow
    manage_link: str
    account_offer: AccountOffer | None


@dataclass(frozen=True)
class Confirm:
    """The client says they will come."""


@dataclass(frozen=True)
class Mark:
    """Staff record how a booking that has started ended."""

    outcome: Literal["completed", "no_show"]


Change = RescheduleRequest | CancelRequest | ProductReservation | Confirm | Mark


def _check_start(start: datetime, now: datetime) -> None:
    if start <= now:
        raise Invalid("start_in_past", "Pick a time in the future.")
    if start > now + MAX_AHEAD:
        raise Invalid("start_too_far_ahead", f"Book at most {MAX_AHEAD.days // 365} years ahead.")


def _check_intake(service: BookableService, answers: dict[str, str]) -> dict[str, str]:
    questions = {q["id"]: q for q in service.intake_questions}
    errors = [
        FieldProblem(f"intake_answers.{key}", code="unknown_question", message="No such question.")
        for key in answers
        if key not in questions
    ]
    for qid, question in questions.items():
        answer = (answers.get(qid) or "").strip()
        if question.get("required") and not answer:
            errors.append(FieldProblem(f"intake_answers.{qid}", code="required", message="Please answer."))
        elif answer and question.get("kind") == "choice" and answer not in question.get("choices", []):
            errors.append(FieldProblem(f"intake_answers.{qid}", code="not_a_choice", message="Pick a choice."))
        elif answer and question.get("kind") == "yes_no" and answer not in ("yes", "no"):
            errors.append(FieldProblem(f"intake_answers.{qid}", code="not_yes_no", message="Answer yes or no."))
        elif len(answer) > 2000:
            errors.append(FieldProblem(f"intake_answers.{qid}", code="too_long", message="Too long."))
    if errors:
        raise Invalid("invalid_intake_answers", "Some answers are missing or not valid.", errors)
    return {k: v.strip() for k, v in answers.items() if v.strip()}


async def _free_staff(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    service: BookableService,
    start: datetime,
    staff_id: uuid.UUID | None,
    *,
    appointment_id: uuid.UUID | None = None,
    check_hours: bool = True,
) -> list[uuid.UUID]:
    """Who is free for the service at ``start`` (``staff_id`` alone, or anyone performing it), in
    order; ``appointment_id`` (a booking being moved) does not count as busy. Staff may book
    outside working hours (``check_hours=False``), never over another booking."""
    candidates = service.staff_ids
    if staff_id is not None:
        if staff_id not in candidates:
            raise Invalid("staff_does_not_perform_service", "This staff member does not perform this service.")
        candidates = (staff_id,)
    if not candidates:
        raise SlotUnavailable("Nobody performs this service at the moment.")
    held = Interval(start, start + service.duration + service.buffer)
    zone = ZoneInfo(business.timezone)
    window = Interval(start - timedelta(days=1), start + timedelta(days=1))
    calendars = {
        c.staff_id: c
        for c in await load_calendars(conn, business.business_id, candidates, window, ignore_appointment=appointment_id)
    }
    if check_hours:
        return [
            c
            for c in candidates
            if is_free(calendars[c], zone=zone, start=start, duration=service.duration, buffer=service.buffer)
        ]
    return [c for c in candidates if not any(b.overlaps(held) for b in calendars[c].busy)]


async def _hold_slot(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    service: BookableService,
    start: datetime,
    staff_id: uuid.UUID | None,
    values: dict[str, Any],
    *,
    appointment_id: uuid.UUID | None = None,
    check_hours: bool = True,
) -> uuid.UUID:
    """Insert (or move ``appointment_id``) into the first free staff member's calendar.

    The availability check gives a clear answer in the common case; the exclusion
    constraint decides races: of concurrent requests for one slot exactly one wins.
    """
    free = await _free_staff(
        conn, business, service, start, staff_id, appointment_id=appointment_id, check_hours=check_hours
    )
    end = start + service.duration
    blocked = sa.func.tstzrange(start, end + service.buffer, "[)")
    for candidate in free:
        row = {**values, "staff_id": candidate, "starts_at": start, "ends_at": end, "blocked": blocked}
        try:
            async with conn.begin_nested():
                if appointment_id is None:
                    inserted = await conn.execute(sa.insert(appointments).values(**row).returning(appointments.c.id))
                    return uuid.UUID(str(inserted.scalar_one()))
                await conn.execute(sa.update(appointments).where(appointments.c.id == appointment_id).values(**row))
                return appointment_id
        except IntegrityError as exc:
            if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
                raise
    raise SlotUnavailable()


async def load(
    conn: AsyncConnection,
    appointment_id: uuid.UUID,
    scope: BookingScope | None = None,
    *,
    for_update: bool = False,
    with_products: bool = False,
) -> BookingRow:
    """One booking that is not deleted, within ``scope`` (a business's or a client's)."""
    query = booking_select().where(appointments.c.id == appointment_id, appointments.c.deleted_at.is_(None))
    if scope is not None:
        query = query.where(*scope.clauses())
    if for_update:
        query = query.with_for_update(of=appointments)
    found = await read_bookings(conn, query, with_products=with_products)
    if not found:
        raise NotFound("booking_not_found", "Booking not found.")
    return found[0]


async def load_by_token(
    conn: AsyncConnection, business_id: uuid.UUID, token: str, *, for_update: bool = False
) -> BookingRow:
    """The booking a guest's manage link names, at the business of the call."""
    query = booking_select().where(
        appointments.c.manage_token_hash == token_digest(token).hex(),
        appointments.c.business_id == business_id,
        appointments.c.deleted_at.is_(None),
    )
    if for_update:
        query = query.with_for_update(of=appointments)
    found = await read_bookings(conn, query)
    if not found:
        raise NotFound("invalid_manage_link", "This link is not valid any more.")
    return found[0]


async def book(
    uow: UnitOfWork,
    business: BusinessSnapshot,
    request: BookingRequest,
    *,
    actor: Actor,
    account_id: uuid.UUID | None,
    now: datetime,
    public_url: str,
) -> Booked:
    """Book a service for a client: signed in, guest or by staff (R-A1, R-I2, R-S1, R-A6, R-A7)."""
    conn = uow.conn
    if actor == "guest" and business.settings.client_logins == "required":
        raise SignInRequired("account_required", "This business asks clients to sign in or create an account to book.")
    service = await load_service(conn, business.business_id, request.service_id)
    if actor != "staff" and not (service.active and service.online_booking):
        raise Invalid("not_bookable_online", "This service cannot be booked online.")
    _check_start(request.start, now)
    if request.pet is not None and business.vertical != "pet":
        raise Invalid("pets_not_supported", "This business does not take pets.")
    answers = _check_intake(service, request.intake_answers)
    email = normalize_email(request.client.email)

    if actor == "staff":
        on_email = (
            await conn.execute(
                sa.select(appointments.c.account_id)
                .distinct()
                .where(
                    appointments.c.org_id == business.org_id,
                    appointments.c.email == email,
                    appointments.c.account_id.is_not(None),
                    appointments.c.deleted_at.is_(None),
                )
            )
        ).scalars()
        scoped = [a for a in on_email if await clients.account_in_scope(conn, business, a)]
        verified = await clients.account_with_email(conn, business, email, verified_only=True)
        decision = assignment.for_staff_booking(scoped, verified)
    else:
        exists = await clients.account_with_email(conn, business, email, verified_only=False)
        decision = assignment.for_client_booking(account_id if actor == "client" else None, exists is not None)

    record_id = await clients.record_for_booking(conn, business, request.client, decision.account_id, answers)
    token = secrets.token_urlsafe(24)
    values = {
        "org_id": business.org_id,
        "business_id": business.business_id,
        "service_id": service.id,
        "client_record_id": record_id,
        "email": email,
        "account_id": decision.account_id,
        "assigned_how": decision.how,
        "assigned_at": now if decision.account_id else None,
        "claimable": decision.claimable,
        "booked_by": actor,
        "status": "booked",
        "price_minor": service.price_minor,
        "currency": service.currency,
        "locale": request.locale or business.default_locale,
        "notes": request.notes,
        "pet": request.pet.model_dump() if request.pet else None,
        "intake_answers": answers,
        "manage_token_hash": token_digest(token).hex(),
    }
    appointment_id = await _hold_slot(
        conn, business, service, request.start, request.staff_id, values, check_hours=actor != "staff"
    )
    row = await load(conn, appointment_id)
    link = widget_link(public_url, business.slug, "manage", token=token)
    await uow.publish(
        events.AppointmentBooked(
            org_id=business.org_id,
            business_id=business.business_id,
            appointment=facts(row),
            manage_link=link,
            calendar_ics=calendar_text(row, now),
        )
    )
    if decision.account_id is not None and decision.how is not None:
        await uow.publish(
            events.AppointmentAssigned(
                org_id=business.org_id, business_id=business.business_id, appointment=facts(row), how=decision.how
            )
        )
    return Booked(row, link, _account_offer(request) if actor == "guest" else None)


def _account_offer(request: BookingRequest) -> AccountOffer:
    """R-I1: a guest's confirmation offers an account, pre-filled from the booking."""
    client = request.client
    return AccountOffer(
        first_name=client.first_name,
        last_name=client.last_name,
        email=normalize_email(client.email),
        phone=client.phone,
    )


def _require(row: BookingRow, action: Action, now: datetime, *, by_client: bool) -> None:
    """Refuse an action the booking's state (and, for clients, the policy) does not allow."""
    if not by_client:
        _require_active(row)
        return
    rule = client_rules(row, now)[action]
    if not rule.allowed:
        until = f" You could until {local(rule.until, row.business.timezone)}." if rule.until else ""
        message = f"This booking cannot be {_PAST[action]} online now.{until}"
        raise PolicyRefused(rule.reason or "not_allowed", message, rule.until)


def _require_active(row: BookingRow) -> None:
    if row.status not in ("booked", "confirmed"):
        raise Conflict("booking_not_active", f"This booking is {row.status}.")


_PAST: dict[Action, str] = {
    "cancel": "cancelled",
    "reschedule": "rescheduled",
    "confirm": "confirmed",
    "reserve_product": "changed",
}


async def _first_choice(
    row: BookingRow, request: RescheduleRequest, attempt: Callable[[uuid.UUID | None], Awaitable[T]]
) -> T:
    """``attempt`` with the staff member asked for; without one, with the booking's own staff member,
    then with anyone who performs the service (one not free, or no longer performing it, gives way)."""
    choices = [request.staff_id] if request.staff_id else [row.staff_id, None]
    for staff_id in choices[:-1]:
        try:
            return await attempt(staff_id)
        except DomainError as exc:
            if exc.code not in ("slot_unavailable", "staff_does_not_perform_service"):
                raise
    return await attempt(choices[-1])


async def plan_reschedule(
    conn: AsyncConnection, row: BookingRow, request: RescheduleRequest, *, now: datetime
) -> BookingRow:
    """The booking as a client's reschedule would leave it, moving nothing (R-A3): the new time, who
    would do it, and so what the policy would then allow (R-S3). Refused as the reschedule would be."""
    _require(row, "reschedule", now, by_client=True)
    _check_start(request.start, now)
    business = row.business
    service = await load_service(conn, business.business_id, row.service_id)

    async def first_free(staff_id: uuid.UUID | None) -> uuid.UUID:
        free = await _free_staff(conn, business, service, request.start, staff_id, appointment_id=row.id)
        if not free:
            raise SlotUnavailable()
        return free[0]

    staff_id = await _first_choice(row, request, first_free)
    name = await conn.scalar(
        sa.select(staff.c.name).where(staff.c.id == staff_id, staff.c.business_id == business.business_id)
    )
    return dataclasses.replace(
        row, status="booked", starts_at=request.start, ends_at=request.start + service.duration,
        staff_id=staff_id, staff_name=str(name),
    )  # fmt: skip


async def reschedule(
    uow: UnitOfWork, row: BookingRow, request: RescheduleRequest, *, by: Actor, now: datetime
) -> BookingRow:
    """Move a booking to another free time (R-A3); its iCalendar SEQUENCE grows."""
    conn = uow.conn
    business = row.business
    _require(row, "reschedule", now, by_client=by != "staff")
    _check_start(request.start, now)
    service = await load_service(conn, business.business_id, row.service_id)
    values = {"sequence": row.sequence + 1, "status": "booked", "updated_at": sa.func.now()}

    async def hold(staff_id: uuid.UUID | None) -> uuid.UUID:
        return await _hold_slot(
            conn, business, service, request.start, staff_id, values, appointment_id=row.id, check_hours=by != "staff"
        )

    await _first_choice(row, request, hold)
    moved = await load(conn, row.id, with_products=True)
    await uow.publish(
        events.AppointmentRescheduled(
            org_id=business.org_id,
            business_id=business.business_id,
            appointment=facts(moved),
            previous_starts_at=row.starts_at,
            previous_staff_id=row.staff_id,
            calendar_ics=calendar_text(moved, now),
        )
    )
    return moved


async def cancel(uow: UnitOfWork, row: BookingRow, request: CancelRequest, *, by: Actor, now: datetime) -> BookingRow:
    """Cancel, inside the business's policy for clients (R-A3, R-S3); the slot is free again."""
    business = row.business
    _require(row, "cancel", now, by_client=by != "staff")
    await uow.conn.execute(
        sa.update(appointments)
        .where(appointments.c.id == row.id)
        .values(
            status="cancelled",
            cancel_reason=request.reason,
            cancelled_by=by,
            sequence=row.sequence + 1,
            updated_at=sa.func.now(),
        )
    )
    done = await load(uow.conn, row.id, with_products=True)
    await uow.publish(
        events.AppointmentCancelled(
            org_id=business.org_id,
            business_id=business.business_id,
            appointment=facts(done),
            reason=request.reason,
            cancelled_by=by,
            calendar_ics=calendar_text(done, now),
        )
    )
    return done


async def confirm(uow: UnitOfWork, row: BookingRow, *, now: datetime) -> BookingRow:
    """The client confirms an upcoming booking."""
    business = row.business
    _require(row, "confirm", now, by_client=True)
    await uow.conn.execute(
        sa.update(appointments).where(appointments.c.id == row.id).values(status="confirmed", updated_at=sa.func.now())
    )
    done = await load(uow.conn, row.id, with_products=True)
    await uow.publish(
        events.AppointmentConfirmed(org_id=business.org_id, business_id=business.business_id, appointment=facts(done))
    )
    return done


async def mark(
    uow: UnitOfWork, row: BookingRow, outcome: Literal["completed", "no_show"], *, now: datetime
) -> BookingRow:
    """Staff mark a booking that has started as completed or as a no-show."""
    business = row.business
    _require_active(row)
    if row.starts_at > now:
        raise Conflict("booking_not_started", "A booking can be marked only once it has started.")
    await uow.conn.execute(
        sa.update(appointments).where(appointments.c.id == row.id).values(status=outcome, updated_at=sa.func.now())
    )
    done = await load(uow.conn, row.id, with_products=True)
    event_type = events.AppointmentCompleted if outcome == "completed" else events.AppointmentNoShow
    await uow.publish(event_type(org_id=business.org_id, business_id=business.business_id, appointment=facts(done)))
    return done


async def delete(uow: UnitOfWork, row: BookingRow, *, now: datetime) -> None:
    """The business deletes a booking: it disappears for the client (R-A4) and frees the slot."""
    business = row.business
    await uow.conn.execute(
        sa.update(appointments)
        .where(appointments.c.id == row.id)
        .values(deleted_at=now, manage_token_hash=None, updated_at=sa.func.now())
    )
    await uow.publish(
        events.AppointmentDeleted(org_id=business.org_id, business_id=business.business_id, appointment=facts(row))
    )


async def reserve_product(
    uow: UnitOfWork, row: BookingRow, request: ProductReservation, *, now: datetime
) -> BookingRow:
    """Reserve a retail product for an upcoming booking (R-A5); stock is held at once."""
    _require(row, "reserve_product", now, by_client=True)
    product = (
        await uow.conn.execute(
            sa.update(products)
            .where(
                products.c.id == request.product_id,
                products.c.business_id == row.business_id,
                products.c.active,
                products.c.stock >= request.quantity,
            )
            .values(stock=products.c.stock - request.quantity)
            .returning(products)
        )
    ).first()
    if product is None:
        exists = await uow.conn.execute(
            sa.select(products.c.id).where(
                products.c.id == request.product_id, products.c.business_id == row.business_id, products.c.active
            )
        )
        if exists.first() is None:
            raise NotFound("product_not_found", "Product not found.")
        raise Conflict("out_of_stock", "Not enough of this product is in stock.")
    await uow.conn.execute(
        sa.insert(reserved_products).values(
            business_id=row.business_id,
            appointment_id=row.id,
            product_id=product.id,
            quantity=request.quantity,
            price_minor=product.price_minor * request.quantity,
            currency=product.currency,
        )
    )
    await uow.publish(
        events.ProductReserved(
            org_id=row.org_id,
            business_id=row.business_id,
            appointment_id=row.id,
            account_id=row.account_id,
            product_id=product.id,
            product_name=product.name,
            quantity=request.quantity,
            price_minor=product.price_minor * request.quantity,
            currency=product.currency,
        )
    )
    return await load(uow.conn, row.id, with_products=True)


async def change(uow: UnitOfWork, row: BookingRow, change: Change, *, by: Actor, now: datetime) -> BookingRow:
    """Apply one change to a booking, as ``by``; the booking as it is afterwards."""
    match change:
        case RescheduleRequest():
            return await reschedule(uow, row, change, by=by, now=now)
        case CancelRequest():
            return await cancel(uow, row, change, by=by, now=now)
        case Confirm():
            return await confirm(uow, row, now=now)
        case ProductReservation():
            return await reserve_product(uow, row, change, now=now)
        case Mark(outcome):
            return await mark(uow, row, outcome, now=now)
