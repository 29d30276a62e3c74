"""Reading bookings: one joined row per booking, and what clients and staff see of it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
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
from regulars.appointments.domain.calendar import CalendarEntry, calendar_file
from regulars.appointments.domain.policy import Action, ActionRule, BookingFacts, evaluate
from regulars.shared.contracts.appointments import AppointmentFacts, Booking
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.tables import business_projection


def booking_select() -> sa.Select[Any]:
    return sa.select(
        appointments,
        catalog_services.c.name.label("service_name"),
        catalog_services.c.online_booking.label("service_online"),
        catalog_services.c.active.label("service_active"),
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


def business_of(row: Any) -> BusinessSnapshot:
    return BusinessSnapshot.model_validate(row.business_snapshot)


def local(moment: datetime, timezone: str) -> str:
    """ISO 8601 with the business's offset at that moment."""
    return moment.astimezone(ZoneInfo(timezone)).isoformat()


def facts(row: Any) -> AppointmentFacts:
    business = business_of(row)
    return AppointmentFacts(
        appointment_id=row.id,
        status=row.status,
        service_id=row.service_id,
        service_name=row.service_name,
        staff_id=row.staff_id,
        staff_name=row.staff_name,
        starts_at=row.starts_at.astimezone(ZoneInfo(business.timezone)),
        ends_at=row.ends_at.astimezone(ZoneInfo(business.timezone)),
        timezone=business.timezone,
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


def client_rules(row: Any, now: datetime) -> dict[Action, ActionRule]:
    """What the booking's client may do with it at ``now`` (R-A2, R-A3, R-S3)."""
    facts = BookingFacts(
        status=row.status, starts_at=row.starts_at, online_booking=bool(row.service_online and row.service_active)
    )
    return evaluate(facts, business_of(row).settings.booking_policy, now)


def rules(row: Any, now: datetime) -> dict[str, dict[str, Any]]:
    business = business_of(row)
    found = client_rules(row, now)
    return {
        name: {
            "allowed": rule.allowed,
            "until": local(rule.until, business.timezone) if rule.until else None,
            "reason": rule.reason,
            "fee_minor": rule.fee_minor,
            "currency": row.currency if rule.fee_minor is not None else None,
        }
        for name, rule in found.items()
    }


async def reserved_of(conn: AsyncConnection, appointment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    if not appointment_ids:
        return {}
    rows = await conn.execute(
        sa.select(reserved_products, products.c.name)
        .join(products, products.c.id == reserved_products.c.product_id)
        .where(reserved_products.c.appointment_id.in_(appointment_ids))
        .order_by(reserved_products.c.created_at)
    )
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r.appointment_id, []).append(
            {
                "product_id": str(r.product_id),
                "name": r.name,
                "quantity": r.quantity,
                "price_minor": r.price_minor,
                "currency": r.currency,
            }
        )
    return found


def client_view(row: Any, now: datetime, reserved: list[dict[str, Any]]) -> Booking:
    """A booking as its client sees it, with the actions allowed now and why not (R-A2)."""
    business = business_of(row)
    return Booking.model_validate(
        {
            "id": str(row.id),
            "status": row.status,
            "business": {"slug": business.slug, "name": business.name, "timezone": business.timezone},
            "service": {"id": str(row.service_id), "name": row.service_name},
            "staff": {"id": str(row.staff_id), "name": row.staff_name},
            "starts_at": local(row.starts_at, business.timezone),
            "ends_at": local(row.ends_at, business.timezone),
            "price_minor": row.price_minor,
            "currency": row.currency,
            "notes": row.notes,
            "pet": row.pet,
            "intake_answers": row.intake_answers,
            "products": reserved,
            "cancel_reason": row.cancel_reason,
            "actions": rules(row, now),
        }
    )


def staff_view(row: Any, reserved: list[dict[str, Any]]) -> dict[str, Any]:
    """A booking as the business sees it, with whether it is assigned to an account (R-A8)."""
    business = business_of(row)
    return {
        "id": str(row.id),
        "status": row.status,
        "deleted": row.deleted_at is not None,
        "service": {"id": str(row.service_id), "name": row.service_name},
        "staff": {"id": str(row.staff_id), "name": row.staff_name},
        "starts_at": local(row.starts_at, business.timezone),
        "ends_at": local(row.ends_at, business.timezone),
        "price_minor": row.price_minor,
        "currency": row.currency,
        "client": {
            "id": str(row.client_record_id),
            "first_name": row.client_first_name,
            "last_name": row.client_last_name,
            "email": row.email,
            "phone": row.client_phone,
        },
        "booked_by": row.booked_by,
        "assigned": row.account_id is not None,
        "account_id": str(row.account_id) if row.account_id else None,
        "assigned_how": row.assigned_how,
        "notes": row.notes,
        "pet": row.pet,
        "intake_answers": row.intake_answers,
        "products": reserved,
        "cancel_reason": row.cancel_reason,
    }


def calendar_entry(row: Any) -> CalendarEntry:
    business = business_of(row)
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


def calendar_text(row: Any, stamp: datetime) -> str:
    """The booking's .ics, as attached to its emails."""
    return calendar_file([calendar_entry(row)], stamp=stamp).decode()
