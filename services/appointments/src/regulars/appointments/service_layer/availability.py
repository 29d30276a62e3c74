"""Free slots for a service, read from the database and computed by the domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import (
    appointments,
    catalog_services,
    service_staff,
    staff,
    time_off,
    working_hours,
)
from regulars.appointments.domain.availability import (
    MAX_AHEAD,
    MAX_RANGE,
    Interval,
    Slot,
    StaffCalendar,
    WeeklyHours,
    first_of_month,
    free_slots,
    month_days,
    month_window,
)
from regulars.appointments.domain.errors import Invalid, NotFound
from regulars.shared.contracts.appointments import AvailabilityMonth
from regulars.shared.contracts.appointments import CalendarDay as CalendarDayItem
from regulars.shared.contracts.identity import BusinessSnapshot


@dataclass(frozen=True)
class BookableService:
    """A service as booking and searching need it: durations, price, and who performs it."""

    id: uuid.UUID
    name: str
    duration: timedelta
    buffer: timedelta
    price_minor: int
    currency: str
    online_booking: bool
    active: bool
    intake_questions: list[dict[str, Any]]
    staff_ids: tuple[uuid.UUID, ...]


async def load_service(conn: AsyncConnection, business_id: uuid.UUID, service_id: uuid.UUID) -> BookableService:
    """The business's service with its active staff, by name."""
    row = (
        await conn.execute(
            sa.select(catalog_services).where(
                catalog_services.c.id == service_id, catalog_services.c.business_id == business_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("service_not_found", "Service not found.")
    staff_ids = (
        await conn.execute(
            sa.select(service_staff.c.staff_id)
            .join(staff, staff.c.id == service_staff.c.staff_id)
            .where(service_staff.c.service_id == service_id, staff.c.active)
            .order_by(staff.c.name)
        )
    ).scalars()
    return BookableService(
        id=row.id,
        name=row.name,
        duration=timedelta(minutes=row.duration_minutes),
        buffer=timedelta(minutes=row.buffer_minutes),
        price_minor=row.price_minor,
        currency=row.currency,
        online_booking=row.online_booking,
        active=row.active,
        intake_questions=list(row.intake_questions),
        staff_ids=tuple(staff_ids),
    )


async def load_calendars(
    conn: AsyncConnection,
    business_id: uuid.UUID,
    staff_ids: tuple[uuid.UUID, ...],
    window: Interval,
    *,
    ignore_appointment: uuid.UUID | None = None,
) -> list[StaffCalendar]:
    """Hours, time off and live bookings (with their buffers) of each staff member."""
    if not staff_ids:
        return []
    calendars = {s: StaffCalendar(staff_id=s) for s in staff_ids}
    hours = await conn.execute(
        sa.select(working_hours).where(
            working_hours.c.business_id == business_id, working_hours.c.staff_id.in_(staff_ids)
        )
    )
    for h in hours:
        calendars[h.staff_id].hours.append(WeeklyHours(h.weekday, h.start_time, h.end_time))
    # One day of margin on each side: a booking's buffer can reach into the window.
    margin = timedelta(days=1)
    offs = await conn.execute(
        sa.select(time_off.c.staff_id, time_off.c.starts_at, time_off.c.ends_at).where(
            time_off.c.business_id == business_id,
            time_off.c.staff_id.in_(staff_ids),
            time_off.c.ends_at > window.start - margin,
            time_off.c.starts_at < window.end + margin,
        )
    )
    for o in offs:
        calendars[o.staff_id].busy.append(Interval(o.starts_at, o.ends_at))
        calendars[o.staff_id].time_off.append(Interval(o.starts_at, o.ends_at))
    booked = sa.select(
        appointments.c.staff_id,
        sa.func.lower(appointments.c.blocked).label("start"),
        sa.func.upper(appointments.c.blocked).label("end"),
    ).where(
        appointments.c.business_id == business_id,
        appointments.c.staff_id.in_(staff_ids),
        appointments.c.status != "cancelled",
        appointments.c.deleted_at.is_(None),
        appointments.c.blocked.op("&&")(sa.func.tstzrange(window.start - margin, window.end + margin)),
    )
    if ignore_appointment is not None:
        booked = booked.where(appointments.c.id != ignore_appointment)
    for b in await conn.execute(booked):
        calendars[b.staff_id].busy.append(Interval(b.start, b.end))
    return [calendars[s] for s in staff_ids]


async def bookable(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    service_id: uuid.UUID,
    staff_id: uuid.UUID | None,
    *,
    public: bool,
) -> tuple[BookableService, tuple[uuid.UUID, ...]]:
    """The service and whose calendars to search: ``staff_id`` alone, or everyone performing it."""
    service = await load_service(conn, business.business_id, service_id)
    if public and not (service.active and service.online_booking):
        raise NotFound("service_not_found", "This service cannot be booked online.")
    if staff_id is None:
        return service, service.staff_ids
    if staff_id not in service.staff_ids:
        raise Invalid("staff_does_not_perform_service", "This staff member does not perform this service.")
    return service, (staff_id,)


async def search(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    service_id: uuid.UUID,
    start: datetime,
    end: datetime,
    now: datetime,
    staff_id: uuid.UUID | None = None,
    *,
    public: bool = True,
) -> tuple[BookableService, list[Slot]]:
    """The free slots of ``service_id`` between ``start`` and ``end``."""
    if end <= start:
        raise Invalid("bad_range", "'to' must be after 'from'.")
    if end - start > MAX_RANGE:
        raise Invalid("range_too_long", f"Search at most {MAX_RANGE.days} days at a time.")
    service, staff_ids = await bookable(conn, business, service_id, staff_id, public=public)
    window = Interval(start, end)
    calendars = await load_calendars(conn, business.business_id, staff_ids, window)
    slots = free_slots(
        calendars,
        zone=ZoneInfo(business.timezone),
        duration=service.duration,
        buffer=service.buffer,
        window=window,
        not_before=now,
    )
    return service, [s for s in slots if s.start <= now + MAX_AHEAD]


async def search_month(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    service_id: uuid.UUID,
    month: date,
    now: datetime,
    staff_id: uuid.UUID | None = None,
) -> AvailabilityMonth:
    """Which days of ``month`` (in the business's zone) have free times for the service (R-A1):
    one read of the month's hours, time off and bookings, not one search per day."""
    service, staff_ids = await bookable(conn, business, service_id, staff_id, public=True)
    zone = ZoneInfo(business.timezone)
    month = first_of_month(month)
    calendars = await load_calendars(conn, business.business_id, staff_ids, month_window(month, zone))
    days = month_days(
        calendars,
        zone=zone,
        duration=service.duration,
        buffer=service.buffer,
        month=month,
        now=now,
        horizon=now + MAX_AHEAD,
    )
    first_free = next((d.day.isoformat() for d in days if d.status == "open"), None)
    return AvailabilityMonth(
        service_id=str(service.id),
        staff_id=str(staff_id) if staff_id else None,
        timezone=business.timezone,
        month=month.isoformat()[:7],
        first_free_day=first_free,
        days=[CalendarDayItem(date=d.day.isoformat(), status=d.status, free_times=d.free_times) for d in days],
    )
