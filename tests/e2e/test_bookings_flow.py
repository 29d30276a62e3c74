"""Bookings through the gateway: the issue's "done when" (without the emails of step 7).

A guest books, creates an account from the confirmation, verifies, sees the booking,
reschedules it, cannot cancel inside the window and is told until when; the same
account on the organization's other location sees both bookings labelled; a session is
refused on another organization's business. And 50 concurrent requests for one slot.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from icalendar import Calendar

from regulars.shared.testing.businesses import PASSWORD, bookable_business, catalog, guest, signed_up
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.slots import free_slots
from regulars.shared.testing.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.clock]


async def test_done_when_guest_books_creates_account_and_manages_bookings(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    org, downtown, uptown, elsewhere = f"grp-{run}", f"down-{run}", f"up-{run}", f"else-{run}"
    keys = {
        downtown: bookable_business(stack, org, downtown),
        uptown: bookable_business(stack, org, uptown),
        elsewhere: bookable_business(stack, f"other-{run}", elsewhere, "per_business"),
    }
    email = f"gala-{run}@example.com"
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_down = await catalog(gw, downtown, keys[downtown])
        service_up = await catalog(gw, uptown, keys[uptown])
        made = await guest_books_and_opens_the_manage_link(gw, downtown, service_down, email)
        booking_id = made["booking"]["id"]

        # An account from the confirmation, pre-filled; verified from the email.
        offer = made["account_offer"]
        assert offer["email"] == email
        session = await signed_up(gw, downtown, offer["email"], offer["first_name"], offer["last_name"])

        async def claimed() -> Any:
            status, mine = await gw.call("GET", f"/api/v1/b/{downtown}/me/bookings", token=session)
            return mine if status == 200 and mine["bookings"] else None

        mine = await eventually(claimed)
        assert [b["id"] for b in mine["bookings"]] == [booking_id]
        await reschedules_then_cannot_cancel(gw, downtown, service_down, booking_id, session)

        # The same account on the other location of the organization (global database).
        status, signed_in = await gw.call(
            "POST", f"/api/v1/b/{uptown}/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert status == 200, signed_in
        uptown_session = signed_in["session"]["token"]
        status, second = await gw.call(
            "POST", f"/api/v1/b/{uptown}/bookings", token=uptown_session,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": service_up, "start": (await gw.free_slot(uptown, service_up, 30)).isoformat(),
                  "client": guest(email)},
        )  # fmt: skip
        assert status == 201, second
        assert "account_offer" not in second or second["account_offer"] is None
        status, both = await gw.call("GET", f"/api/v1/b/{uptown}/me/bookings", token=uptown_session)
        assert status == 200
        assert [(b["id"], b["business"]["slug"]) for b in both["bookings"]] == [
            (booking_id, downtown),
            (second["booking"]["id"], uptown),
        ]
        await calendar_feed_serves_every_booking_until_rotated(gw, uptown, uptown_session)

        # Another organization refuses the session.
        status, body = await gw.call("GET", f"/api/v1/b/{elsewhere}/me/bookings", token=session)
        assert status in (401, 404), body
        assert "bookings" not in body


async def guest_books_and_opens_the_manage_link(gw: Gateway, slug: str, service_id: str, email: str) -> Any:
    """A guest books a free time about 18 hours ahead (inside the cancellation window); the answer."""
    start = await gw.free_slot(slug, service_id, 18)
    status, made = await gw.call(
        "POST", f"/api/v1/b/{slug}/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"service_id": service_id, "start": start.isoformat(), "client": guest(email)},
    )  # fmt: skip
    assert status == 201, made
    assert start not in await free_slots(gw.http, gw.stack.gateway_url, slug, service_id, after=timedelta(hours=17))

    # Opening the manage link changes nothing; its calendar file is there.
    token = made["manage_link"].split("token=")[1]
    for _ in range(2):
        status, seen = await gw.call("GET", f"/api/v1/b/{slug}/manage", params={"token": token})
        assert (status, seen["booking"]["status"]) == (200, "booked")
    status, (content_type, ics) = await gw.call("GET", f"/api/v1/b/{slug}/manage/calendar.ics", params={"token": token})
    assert (status, content_type) == (200, "text/calendar")
    assert Calendar.from_ical(ics).walk("VTIMEZONE")[0]["tzid"] == "Europe/Madrid"
    return made


async def reschedules_then_cannot_cancel(
    gw: Gateway, slug: str, service_id: str, booking_id: str, session: str
) -> None:
    """Reschedule (allowed until 12 hours before) after its preview, then cancel is refused inside 24 hours,
    saying until when."""
    new_start = await gw.free_slot(slug, service_id, 20)
    # Before anything moves: the new time, and that cancelling online would then be over.
    status, preview = await gw.call(
        "GET", f"/api/v1/b/{slug}/me/bookings/{booking_id}/reschedule-preview", token=session,
        params={"start": new_start.isoformat()},
    )  # fmt: skip
    assert status == 200, preview
    assert preview["after"]["starts_at"] == new_start.isoformat()
    assert preview["after"]["staff"] == preview["before"]["staff"]
    assert preview["after"]["actions"]["cancel"]["reason"] == "inside_policy_window"
    status, moved = await gw.call(
        "POST", f"/api/v1/b/{slug}/me/bookings/{booking_id}/reschedule", token=session,
        json={"start": new_start.isoformat()},
    )  # fmt: skip
    assert status == 200, moved
    assert moved["booking"]["starts_at"] == new_start.isoformat()
    status, policy = await gw.call("GET", f"/api/v1/b/{slug}/me/bookings/{booking_id}/policy", token=session)
    # 24 hours before, told in the business's zone: its offset may differ from the start's (DST night).
    until = (new_start - timedelta(hours=24)).astimezone(ZoneInfo("Europe/Madrid")).isoformat()
    assert policy["actions"]["cancel"] == {
        "allowed": False, "until": until, "reason": "inside_policy_window", "fee_minor": None, "currency": None
    }  # fmt: skip
    status, refused = await gw.call("POST", f"/api/v1/b/{slug}/me/bookings/{booking_id}/cancel", token=session, json={})
    assert (status, refused["error"]["code"]) == (409, "inside_policy_window")
    assert until in refused["error"]["message"]
    status, (_, ics) = await gw.call("GET", f"/api/v1/b/{slug}/me/bookings/{booking_id}/calendar.ics", token=session)
    assert int(str(Calendar.from_ical(ics).walk("VEVENT")[0]["sequence"])) == 1


async def calendar_feed_serves_every_booking_until_rotated(gw: Gateway, slug: str, session: str) -> None:
    """The calendar feed: a secret address with every booking of the account (two here), until rotated."""
    status, feed = await gw.call("GET", f"/api/v1/b/{slug}/me/calendar-feed", token=session)
    assert status == 200, feed
    assert feed["url"].startswith("webcal://")
    path = feed["https_url"].split("://", 1)[1].split("/", 1)[1]
    status, (content_type, ics) = await gw.call("GET", f"/{path}")
    assert (status, content_type) == (200, "text/calendar")
    assert len(Calendar.from_ical(ics).walk("VEVENT")) == 2
    status, rotated = await gw.call("POST", f"/api/v1/b/{slug}/me/calendar-feed/rotate", token=session)
    assert status == 200, rotated
    status, gone = await gw.call("GET", f"/{path}")
    assert (status, gone["error"]["code"]) == (404, "calendar_feed_not_found")


async def test_fifty_concurrent_bookings_through_the_gateway_give_one(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    slug = f"race-{run}"
    key = bookable_business(stack, f"race-org-{run}", slug)
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_id = await catalog(gw, slug, key)
        start = (await gw.free_slot(slug, service_id, 48)).isoformat()

        async def attempt(n: int) -> tuple[int, Any]:
            return await gw.call(
                "POST", f"/api/v1/b/{slug}/bookings", headers={"Idempotency-Key": f"race-{n}"},
                json={"service_id": service_id, "start": start, "client": guest(f"racer{n}-{run}@example.com")},
            )  # fmt: skip

        results = await asyncio.gather(*(attempt(n) for n in range(50)))
        statuses = [status for status, _ in results]
        assert statuses.count(201) == 1, statuses
        assert statuses.count(409) == 49, statuses
        status, listed = await gw.call("GET", f"/api/v1/admin/businesses/{slug}/bookings", token=key)
        assert status == 200
        assert len(listed["bookings"]) == 1


async def test_r_a1_month_calendar_through_the_gateway(stack: Stack) -> None:
    """The month view's answer: a day of time off is closed, the first free day is the first free time's."""
    run = uuid.uuid4().hex[:6]
    slug = f"month-{run}"
    key = bookable_business(stack, f"month-org-{run}", slug)
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_id = await catalog(gw, slug, key)
        zone = ZoneInfo("Europe/Madrid")
        first = (await gw.free_slot(slug, service_id, 0)).astimezone(zone)
        off = datetime.combine(first.date() + timedelta(days=2), time(0, 0), tzinfo=zone)
        status, staff = await gw.call("GET", f"/api/v1/b/{slug}/staff")
        assert status == 200, staff
        status, body = await gw.call(
            "POST", f"/api/v1/admin/businesses/{slug}/staff/{staff['staff'][0]['id']}/time-off", token=key,
            json={"starts_at": off.isoformat(), "ends_at": (off + timedelta(days=1)).isoformat()},
        )  # fmt: skip
        assert status == 201, body
        months = sorted({first.date().isoformat()[:7], off.date().isoformat()[:7]})
        days: dict[str, Any] = {}
        for month in months:
            status, answer = await gw.call(
                "GET", f"/api/v1/b/{slug}/availability/month", params={"service_id": service_id, "month": month}
            )
            assert status == 200, answer
            assert answer["timezone"] == "Europe/Madrid"
            days |= {d["date"]: d for d in answer["days"]}
            if month == months[0]:
                assert answer["first_free_day"] == first.date().isoformat()
        assert days[off.date().isoformat()]["status"] == "closed"
        assert days[(off.date() - timedelta(days=1)).isoformat()]["status"] == "open"
        for params, code in (({"service_id": service_id, "month": "2026-1"}, 422), ({"month": "2026-11"}, 422),
                             ({"service_id": str(uuid.uuid4()), "month": "2026-11"}, 404)):  # fmt: skip
            status, refused = await gw.call("GET", f"/api/v1/b/{slug}/availability/month", params=params)
            assert status == code, refused
