"""Presenters: what the service layer found, as the internal API answers it (times with the
business's offset, ids as text)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from regulars.appointments.domain.availability import Slot
from regulars.appointments.domain.calendar import calendar_file
from regulars.appointments.service_layer.assignment import AssignedAll
from regulars.appointments.service_layer.bookings import Booked
from regulars.appointments.service_layer.catalog import Product, Service, StaffMember, TimeOff, WorkingBlock
from regulars.appointments.service_layer.clients import ClientRecord
from regulars.appointments.service_layer.records import BookingRow, ReservedItem, calendar_entry, client_rules, local
from regulars.shared.contracts import appointments as contract


def _products(row: BookingRow) -> list[dict[str, Any]]:
    return [_reserved(item) for item in row.products]


def _reserved(item: ReservedItem) -> dict[str, Any]:
    return {
        "product_id": str(item.product_id),
        "name": item.name,
        "quantity": item.quantity,
        "price_minor": item.price_minor,
        "currency": item.currency,
    }


def actions(row: BookingRow, now: datetime) -> dict[str, dict[str, Any]]:
    """Each client action: allowed now, until when, why not, any fee (R-A2, R-S3)."""
    timezone = row.business.timezone
    return {
        name: {
            "allowed": rule.allowed,
            "until": local(rule.until, timezone) if rule.until else None,
            "reason": rule.reason,
            "fee_minor": rule.fee_minor,
            "currency": row.currency if rule.fee_minor is not None else None,
        }
        for name, rule in client_rules(row, now).items()
    }


def client_view(row: BookingRow, now: datetime) -> contract.Booking:
    """A booking as its client sees it, with the actions allowed now and why not (R-A2)."""
    business = row.business
    return contract.Booking.model_validate(
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
            "products": _products(row),
            "cancel_reason": row.cancel_reason,
            "actions": actions(row, now),
        }
    )


def staff_view(row: BookingRow) -> dict[str, Any]:
    """A booking as the business sees it, with whether it is assigned to an account (R-A8)."""
    timezone = row.business.timezone
    return {
        "id": str(row.id),
        "status": row.status,
        "deleted": row.deleted_at is not None,
        "service": {"id": str(row.service_id), "name": row.service_name},
        "staff": {"id": str(row.staff_id), "name": row.staff_name},
        "starts_at": local(row.starts_at, timezone),
        "ends_at": local(row.ends_at, timezone),
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
        "products": _products(row),
        "cancel_reason": row.cancel_reason,
    }


def booking_answer(row: BookingRow, now: datetime) -> contract.BookingAnswer:
    """One booking, as its client sees it."""
    return contract.BookingAnswer(booking=client_view(row, now))


def reschedule_preview(row: BookingRow, moved: BookingRow, now: datetime) -> contract.ReschedulePreview:
    return contract.ReschedulePreview(before=client_view(row, now), after=client_view(moved, now))


def policy(row: BookingRow, now: datetime) -> contract.Policy:
    """The business's policy for the booking and what it allows now (R-S3)."""
    business = row.business
    rules = business.settings.booking_policy
    return contract.Policy(
        booking_id=str(row.id),
        timezone=business.timezone,
        now=local(now, business.timezone),
        policy={
            "online_reschedule": rules.online_reschedule,
            "online_cancel": rules.online_cancel,
            "reschedule_window_hours": rules.reschedule_window_hours,
            "cancel_window_hours": rules.cancel_window_hours,
        },
        actions=client_view(row, now).actions,
    )


def calendar(rows: list[BookingRow], filename: str, stamp: datetime, name: str | None = None) -> contract.CalendarFile:
    """Bookings as an iCalendar file, in JSON inside the system (the gateway answers text/calendar)."""
    body = calendar_file([calendar_entry(r) for r in rows], stamp=stamp, name=name)
    return contract.CalendarFile(filename=filename, ics=body.decode())


def booking_created(made: Booked, now: datetime) -> dict[str, Any]:
    """A ``BookingCreated``: the manage link and the account offer only for guests (R-I1)."""
    extra: dict[str, Any] = {}
    if made.account_offer is not None:
        extra = {"manage_link": made.manage_link, "account_offer": made.account_offer}
    answer = contract.BookingCreated.model_validate({"booking": client_view(made.row, now), **extra})
    return answer.model_dump(mode="json", exclude_unset=True)


def history(rows: list[BookingRow]) -> dict[str, Any]:
    """Completed services: what, the provider's name, the date and the location (R-A10)."""
    return {
        "history": [
            {
                "kind": "service",
                "booking_id": str(r.id),
                "what": r.service_name,
                "provider": r.staff_name,
                "date": local(r.starts_at, r.business.timezone),
                "location": {"slug": r.business.slug, "name": r.business.name},
                "price_minor": r.price_minor,
                "currency": r.currency,
            }
            for r in rows
        ]
    }


def calendar_feed(public_url: str, token: str) -> dict[str, str]:
    """The feed's addresses: ``webcal://`` for calendar apps, and the same over the public scheme."""
    scheme = public_url.split("://", 1)[0]
    host = public_url.split("://", 1)[-1].rstrip("/")
    path = f"/api/v1/calendar-feeds/{token}.ics"
    return {"url": f"webcal://{host}{path}", "https_url": f"{scheme}://{host}{path}"}


def client_record(record: ClientRecord) -> dict[str, Any]:
    """A client record as the business sees it, with whether "assign all" is offered (R-A8)."""
    return {
        "id": str(record.id),
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "phone": record.phone,
        "birthday": record.birthday.isoformat() if record.birthday else None,
        "account_id": str(record.account_id) if record.account_id else None,
        "bookings": record.bookings,
        "assigned_bookings": record.assigned_bookings,
        "can_assign_all": record.can_assign_all,
    }


def assigned_all(done: AssignedAll) -> dict[str, Any]:
    """The account a client's bookings now belong to and the bookings that joined it."""
    return {"account_id": str(done.account_id), "assigned": [str(i) for i in done.assigned]}


def availability(
    service_id: uuid.UUID, timezone: str, start: datetime, end: datetime, slots: list[Slot]
) -> dict[str, Any]:
    """The free times of a search, in the business's zone."""
    return {
        "service_id": str(service_id),
        "timezone": timezone,
        "from": local(start, timezone),
        "to": local(end, timezone),
        "slots": [
            {
                "start": local(s.start, timezone),
                "end": local(s.end, timezone),
                "staff_ids": [str(i) for i in s.staff_ids],
            }
            for s in slots
        ],
    }


# --- Catalog -------------------------------------------------------------------------


def service_item(service: Service, *, public: bool) -> dict[str, Any]:
    """A service; the business also sees its buffer and whether it is active."""
    return {
        "id": str(service.id),
        "name": service.name,
        "description": service.description,
        "category": service.category,
        "duration_minutes": service.duration_minutes,
        **({} if public else {"buffer_minutes": service.buffer_minutes, "active": service.active}),
        "price_minor": service.price_minor,
        "currency": service.currency,
        "staff_ids": [str(s) for s in service.staff_ids],
        "online_booking": service.online_booking,
        "prepayment_required": service.prepayment_required,
        "intake_questions": service.intake_questions,
    }


def staff_item(member: StaffMember, *, public: bool) -> dict[str, Any]:
    """A staff member; the business also sees whether they are active."""
    return {
        "id": str(member.id),
        "name": member.name,
        "title": member.title,
        "service_ids": [str(s) for s in member.service_ids],
        **({} if public else {"active": member.active}),
    }


def working_blocks(blocks: list[WorkingBlock]) -> dict[str, Any]:
    """Weekly hours as ``HH:MM`` wall-clock times."""
    return {
        "blocks": [
            {"weekday": b.weekday, "start": b.start.isoformat("minutes"), "end": b.end.isoformat("minutes")}
            for b in blocks
        ]
    }


def time_off_item(off: TimeOff) -> dict[str, Any]:
    """Time off of a staff member."""
    return {
        "id": str(off.id),
        "staff_id": str(off.staff_id),
        "starts_at": off.starts_at.isoformat(),
        "ends_at": off.ends_at.isoformat(),
        "reason": off.reason,
    }


def product_item(product: Product) -> dict[str, Any]:
    """A retail product with its stock."""
    return {
        "id": str(product.id),
        "name": product.name,
        "description": product.description,
        "price_minor": product.price_minor,
        "currency": product.currency,
        "stock": product.stock,
        "active": product.active,
    }
