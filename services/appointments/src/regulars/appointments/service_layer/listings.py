"""Lists of bookings: a client's upcoming or past ones and their history, a business's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import appointments
from regulars.appointments.service_layer.records import BookingRow, BookingScope, booking_select, read_bookings
from regulars.shared.contracts.appointments import BookingWhen


async def list_mine(conn: AsyncConnection, mine: BookingScope, when: BookingWhen, now: datetime) -> list[BookingRow]:
    """A client's upcoming or past bookings (R-A2), never deleted ones (R-A4)."""
    query = booking_select().where(appointments.c.deleted_at.is_(None), *mine.clauses())
    live = appointments.c.status.in_(("booked", "confirmed")) & (appointments.c.starts_at > now)
    if when == "upcoming":
        query = query.where(live).order_by(appointments.c.starts_at)
    else:
        query = query.where(~live).order_by(appointments.c.starts_at.desc())
    return await read_bookings(conn, query.limit(200), with_products=True)


async def history(conn: AsyncConnection, mine: BookingScope) -> list[BookingRow]:
    """A client's completed services, newest first (R-A10)."""
    query = booking_select().where(
        appointments.c.deleted_at.is_(None), appointments.c.status == "completed", *mine.clauses()
    )
    return await read_bookings(conn, query.order_by(appointments.c.starts_at.desc()).limit(500))


@dataclass(frozen=True)
class BookingFilter:
    """Which of a business's bookings to list: from, before, of one client, with deleted ones."""

    starts_from: datetime | None = None
    starts_before: datetime | None = None
    client_record_id: uuid.UUID | None = None
    include_deleted: bool = False


async def list_for_business(conn: AsyncConnection, business_id: uuid.UUID, only: BookingFilter) -> list[BookingRow]:
    """A business's bookings in start order, with their products (R-A8 shows who is assigned)."""
    query = booking_select().where(appointments.c.business_id == business_id)
    if only.starts_from is not None:
        query = query.where(appointments.c.starts_at >= only.starts_from)
    if only.starts_before is not None:
        query = query.where(appointments.c.starts_at < only.starts_before)
    if only.client_record_id is not None:
        query = query.where(appointments.c.client_record_id == only.client_record_id)
    if not only.include_deleted:
        query = query.where(appointments.c.deleted_at.is_(None))
    return await read_bookings(conn, query.order_by(appointments.c.starts_at).limit(1000), with_products=True)
