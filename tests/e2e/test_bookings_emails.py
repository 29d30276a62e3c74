"""Booking emails through the whole system: confirmation with the .ics in the client's
language and the business's time zone, the reminder scheduled 24 hours before and
dropped when the booking is cancelled, and the cancellation email (METHOD:CANCEL)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.notifications.adapters.tables import messages
from regulars.shared.testing.businesses import catalog, fresh_bookable_business, guest
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.clock]


async def reminder_of(engines: dict[str, AsyncEngine], booking_id: str) -> list[tuple[str, object]]:
    async with engines["notifications"].connect() as conn:
        rows = await conn.execute(
            sa.select(messages.c.status, messages.c.due_at)
            .where(
                messages.c.template == "appointment_reminder",
                messages.c.subject_ref.like(f"appointment:{booking_id}:reminder:%"),
            )
            .order_by(messages.c.subject_ref)
        )
        return [(r.status, r.due_at) for r in rows]


async def test_confirmation_reminder_and_cancellation_emails(stack: Stack, engines: dict[str, AsyncEngine]) -> None:
    slug, key = fresh_bookable_business(stack, "mail")
    email = f"lola-{slug}@example.com"
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_id = await catalog(gw, slug, key)
        start = await gw.free_slot(slug, service_id, 72)
        status, made = await gw.call(
            "POST", f"/api/v1/b/{slug}/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": service_id, "start": start.isoformat(), "client": guest(email), "locale": "es"},
        )  # fmt: skip
        assert status == 201, made
        booking_id = made["booking"]["id"]

        confirmation = (await eventually(lambda: gw.mail(email, "Reservada")))[0]
        local = start.astimezone(ZoneInfo("Europe/Madrid"))
        assert f"a las {local.hour}:{local.minute:02d}." in confirmation["text"]  # Madrid time, Spanish (H:mm)
        assert "/manage?token=" in confirmation["text"]
        (ics,) = [a for a in confirmation["attachments"] if a["content_type"] == "text/calendar"]
        event = Calendar.from_ical(ics["content"]).walk("VEVENT")[0]
        assert str(event["uid"]) == f"{booking_id}@regulars"
        assert event.decoded("dtstart") == start

        reminders = await eventually(lambda: reminder_of(engines, booking_id))
        assert reminders == [("queued", start - timedelta(hours=24))]

        # Moved through the guest's link: a change email, the old reminder dropped, a new one queued.
        token = made["manage_link"].split("token=")[1]
        new_start = await gw.free_slot(slug, service_id, 96)
        status, body = await gw.call(
            "POST", f"/api/v1/b/{slug}/manage/reschedule", headers={"X-Manage-Token": token},
            json={"start": new_start.isoformat()},
        )  # fmt: skip
        assert status == 200, body
        change = (await eventually(lambda: gw.mail(email, "Cambio")))[0]
        (ics,) = [a for a in change["attachments"] if a["content_type"] == "text/calendar"]
        assert int(str(Calendar.from_ical(ics["content"]).walk("VEVENT")[0]["sequence"])) == 1

        async def moved() -> bool:
            return await reminder_of(engines, booking_id) == [
                ("dropped", start - timedelta(hours=24)),
                ("queued", new_start - timedelta(hours=24)),
            ]

        await eventually(moved)

        status, body = await gw.call(
            "POST", f"/api/v1/b/{slug}/manage/cancel", headers={"X-Manage-Token": token}, json={"reason": "viaje"}
        )
        assert status == 200, body
        cancellation = (await eventually(lambda: gw.mail(email, "Cancelada")))[0]
        (ics,) = [a for a in cancellation["attachments"] if a["content_type"] == "text/calendar"]
        assert Calendar.from_ical(ics["content"])["method"] == "CANCEL"

        async def dropped() -> bool:
            return [s for s, _ in await reminder_of(engines, booking_id)] == ["dropped", "dropped"]

        await eventually(dropped)
