"""Reading bookings: one typed row per booking (joined with its names and its business), the
facts its events carry, what its client may do with it and its calendar entry."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import (
    appointments,
    catalog_services,
    client_records,
    products,
    reserved_products,
    staff,
)
from regulars.appointments.domain.assignment import AssignedHow
from regulars.appointments.domain.calendar import CalendarEntry, calendar_file
from regulars.appointments.domain.policy import Action, ActionRule, BookingFacts, Status, evaluate
from regulars.shared.contracts.appointments import AppointmentFacts
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.tables import business_projection

Actor = Literal["client", "guest", "staff"]


@dataclass(frozen=True)
class ReservedItem:
    """A retail product reserved for a booking (R-A5)."""

    product_id: uuid.UUID
    name: str
    quantity: int
    price_minor: int
    currency: str


@dataclass(frozen=True)
class BookingRow:
    """One booking with the names it shows (service, staff, client), its business and, when
    asked for, its reserved products."""

    id: uuid.UUID
    org_id: uuid.UUID
    business_id: uuid.UUID
    service_id: uuid.UUID
    staff_id: uuid.UUID
    client_record_id: uuid.UUID
    account_id: uuid.UUID | None
    assigned_how: AssignedHow | None
    email: str | None
    booked_by: Actor
    status: Status
    starts_at: datetime
    ends_at: datetime
    price_minor: int
    currency: str
    locale: str
    notes: str
    pet: dict[str, Any] | None
    intake_answers: dict[str, str]
    sequence: int
    cancel_reason: str | None
    deleted_at: datetime | None
    service_name: str
    bookable_online: bool
    staff_name: str
    client_first_name: str
    client_last_name: str
    client_phone: str | None
    business: BusinessSnapshot
    products: tuple[ReservedItem, ...] = ()


_JOINED = [f.name for f in dataclasses.fields(BookingRow) if f.name not in ("business", "products")]


@dataclass(frozen=True)
class BookingScope:
    """Whose bookings a call may read or change: a business's, or a client account's (in its
    organization, when the call names one)."""

    business_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    org_id: uuid.UUID | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        """The scope as conditions on ``appointments``."""
        return [appointments.c[name] == value for name, value in vars(self).items() if value is not None]


def booking_select() -> sa.Select[Any]:
    """Bookings joined with their service, staff member, client record and business."""
    return sa.select(
        appointments,
        catalog_services.c.name.label("service_name"),
        sa.and_(catalog_services.c.online_booking, catalog_services.c.active).label("bookable_online"),
        staff.c.name.label("staff_name"),
        client_records.c.first_name.label("client_first_name"),
        client_records.c.last_name.label("client_last_name"),
        client_records.c.phone.label("client_phone"),
        business_projection.c.snapshot.label("business_snapshot"),
    ).select_from(
        appointments.join(catalog_services, catalog_services.c.id == appointments.c.service_id)
        .join(staff, staff.c.id == appointments.c.staff_id)
        .join(client_records, client_records.c.id == appointments.c.client_record_id)
        .join(business_projection, business_projection.c.business_id == appointments.c.business_id)
    )


async def read_bookings(
    conn: AsyncConnection, query: sa.Select[Any], *, with_products: bool = False
) -> list[BookingRow]:
    """The bookings ``query`` (a ``booking_select``) finds, typed, with their products if asked."""
    rows = [_booking(r._mapping) for r in await conn.execute(query)]
    if not with_products or not rows:
        return rows
    reserved = await _reserved_of(conn, [r.id for r in rows])
    return [dataclasses.replace(r, products=tuple(reserved.get(r.id, ()))) for r in rows]


def _booking(values: Any) -> BookingRow:
    business = BusinessSnapshot.model_validate(values["business_snapshot"])
    return BookingRow(**{name: values[name] for name in _JOINED}, business=business)


async def _reserved_of(conn: AsyncConnection, appointment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ReservedItem]]:
    rows = await conn.execute(
        sa.select(reserved_products, products.c.name)
        .join(products, products.c.id == reserved_products.c.product_id)
        .where(reserved_products.c.appointment_id.in_(appointment_ids))
        .order_by(reserved_products.c.created_at)
    )
    found: dict[uuid.UUID, list[ReservedItem]] = {}
    for r in rows:
        item = ReservedItem(r.product_id, r.name, r.quantity, r.price_minor, r.currency)
        found.setdefault(r.appointment_id, []).append(item)
    return found


def local(moment: datetime, timezone: str) -> str:
    """ISO 8601 with the business's offset at that moment."""
    return moment.astimezone(ZoneInfo(timezone)).isoformat()


def facts(row: BookingRow) -> AppointmentFacts:
    """What the booking's events say of it."""
    zone = ZoneInfo(row.business.timezone)
    return AppointmentFacts(
        appointment_id=row.id,
        status=row.status,
        service_id=row.service_id,
        service_name=row.service_name,
        staff_id=row.staff_id,
        staff_name=row.staff_name,
        starts_at=row.starts_at.astimezone(zone),
        ends_at=row.ends_at.astimezone(zone),
        timezone=row.business.timezone,
        price_minor=row.price_minor,
        currency=row.currency,
        account_id=row.account_id,
        client_record_id=row.client_record_id,
        client_first_name=row.client_first_name,
        email=row.email,
        locale=row.locale,
        booked_by=row.booked_by,
        sequence=row.sequence,
    )


def client_rules(row: BookingRow, now: datetime) -> dict[Action, ActionRule]:
    """What the booking's client may do with it at ``now`` (R-A2, R-A3, R-S3)."""
    facts = BookingFacts(status=row.status, starts_at=row.starts_at, online_booking=row.bookable_online)
    return evaluate(facts, row.business.settings.booking_policy, now)


def calendar_entry(row: BookingRow) -> CalendarEntry:
    """The booking as an event of a calendar file."""
    business = row.business
    return CalendarEntry(
        uid=f"{row.id}@regulars",
        sequence=row.sequence,
        summary=f"{row.service_name} · {business.name}",
        location=business.name,
        description=f"{row.service_name} with {row.staff_name}",
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=business.timezone,
        cancelled=row.status == "cancelled",
    )


def calendar_text(row: BookingRow, stamp: datetime) -> str:
    """The booking's .ics, as attached to its emails."""
    return calendar_file([calendar_entry(row)], stamp=stamp).decode()
