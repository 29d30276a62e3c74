"""Reschedule, cancel, confirm, products, policy with the server's clock; calendars; guest links."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.identity import BookingPolicy
from regulars.shared.testing.inprocess import Api

from .conftest import book, make_shop, tomorrow_at

pytestmark = [pytest.mark.integration, pytest.mark.clock]


async def test_r_a3_cancel_refused_inside_window_and_told_until_when(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    me = shop.client(uuid.uuid4())
    start = tomorrow_at(10, api.clock, days=3)
    _, made = await book(api, shop, me, start)
    booking_id = made["booking"]["id"]
    status, policy = await api.call("GET", f"/internal/me/bookings/{booking_id}/policy", me)
    assert status == 200
    until = (start - timedelta(hours=24)).isoformat()
    assert policy["actions"]["cancel"] == {
        "allowed": True, "until": until, "reason": None, "fee_minor": None, "currency": None
    }  # fmt: skip
    api.clock.now = start - timedelta(hours=23)  # the server's clock moves, not the client's
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/cancel", me, json={"reason": "ill"})
    assert status == 409
    assert body["error"]["code"] == "inside_policy_window"
    assert until in body["error"]["message"]
    _, policy = await api.call("GET", f"/internal/me/bookings/{booking_id}/policy", me)
    assert policy["actions"]["cancel"]["allowed"] is False
    assert policy["actions"]["cancel"]["until"] == until
    # Staff may still cancel.
    status, body = await api.call(
        "POST", f"/internal/admin/bookings/{booking_id}/cancel", shop.admin, json={"reason": "staff ill"}
    )
    assert status == 200
    assert body["booking"]["status"] == "cancelled"


async def test_r_s3_online_cancel_off(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines, policy=BookingPolicy(online_cancel=False))
    me = shop.client(uuid.uuid4())
    _, made = await book(api, shop, me, tomorrow_at(10, api.clock, days=5))
    status, body = await api.call("POST", f"/internal/me/bookings/{made['booking']['id']}/cancel", me, json={})
    assert (status, body["error"]["code"]) == (409, "online_cancel_disabled")


async def test_reschedule_keeps_uid_raises_sequence_and_frees_old_slot(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    me = shop.client(uuid.uuid4())
    _, made = await book(api, shop, me, tomorrow_at(10, api.clock, days=2), staff_id=shop.staff_ids[0])
    booking_id = made["booking"]["id"]
    _, first = await api.call("GET", f"/internal/me/bookings/{booking_id}/calendar.ics", me)
    new_start = tomorrow_at(15, api.clock, days=2)
    status, body = await api.call(
        "POST", f"/internal/me/bookings/{booking_id}/reschedule", me, json={"start": new_start.isoformat()}
    )
    assert status == 200, body
    assert body["booking"]["starts_at"] == new_start.isoformat()
    assert body["booking"]["staff"]["id"] == shop.staff_ids[0]  # the same staff member is preferred
    _, second = await api.call("GET", f"/internal/me/bookings/{booking_id}/calendar.ics", me)
    before = Calendar.from_ical(first["ics"]).walk("VEVENT")[0]
    after = Calendar.from_ical(second["ics"]).walk("VEVENT")[0]
    assert str(before["uid"]) == str(after["uid"]) == f"{booking_id}@regulars"
    assert int(str(after["sequence"])) == int(str(before["sequence"])) + 1
    assert after.decoded("dtstart") == new_start
    status, _ = await book(api, shop, shop.guest, tomorrow_at(10, api.clock, days=2), staff_id=shop.staff_ids[0])
    assert status == 201  # the old time is free again

    await api.call("POST", f"/internal/me/bookings/{booking_id}/cancel", me, json={})
    _, third = await api.call("GET", f"/internal/me/bookings/{booking_id}/calendar.ics", me)
    cancelled = Calendar.from_ical(third["ics"])
    assert cancelled["method"] == "CANCEL"
    assert int(str(cancelled.walk("VEVENT")[0]["sequence"])) == int(str(after["sequence"])) + 1


async def test_confirm_and_reserve_product(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    me = shop.client(uuid.uuid4())
    status, product = await api.call(
        "POST", "/internal/admin/products", shop.admin,
        json={"name": "Shampoo", "price_minor": 1200, "currency": "EUR", "stock": 1},
    )  # fmt: skip
    assert status == 201
    _, made = await book(api, shop, me, tomorrow_at(10, api.clock, days=2))
    booking_id = made["booking"]["id"]
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/confirm", me)
    assert (status, body["booking"]["status"]) == (200, "confirmed")
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/confirm", me)
    assert (status, body["error"]["code"]) == (409, "already_confirmed")
    reserve = {"product_id": product["product"]["id"], "quantity": 1}
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/products", me, json=reserve)
    assert status == 200, body
    assert body["booking"]["products"][0]["name"] == "Shampoo"
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/products", me, json=reserve)
    assert (status, body["error"]["code"]) == (409, "out_of_stock")


async def test_guest_manage_link_get_changes_nothing_post_cancels(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    _, made = await book(api, shop, shop.guest, tomorrow_at(10, api.clock, days=4))
    token = made["manage_link"].split("token=")[1]
    for _ in range(3):
        status, body = await api.call("GET", "/internal/manage", shop.guest, params={"token": token})
        assert (status, body["booking"]["status"]) == (200, "booked")
    status, body = await api.call("GET", "/internal/manage", shop.guest, params={"token": token + "x"})
    assert (status, body["error"]["code"]) == (404, "invalid_manage_link")
    status, body = await api.call(
        "POST", "/internal/manage/cancel", shop.guest, json={"reason": "x"}, headers={"X-Manage-Token": token}
    )
    assert (status, body["booking"]["status"]) == (200, "cancelled")


async def test_calendar_feed_is_stable_until_rotated(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    me = shop.client(uuid.uuid4())
    await book(api, shop, me, tomorrow_at(10, api.clock, days=2))
    _, first = await api.call("GET", "/internal/me/calendar-feed", me)
    _, again = await api.call("GET", "/internal/me/calendar-feed", me)
    assert first["url"] == again["url"]
    assert first["url"].startswith("webcal://")
    token = first["url"].rsplit("/", 1)[1].removesuffix(".ics")
    status, feed = await api.call("GET", f"/internal/calendar-feeds/{token}.ics", shop.guest)
    assert status == 200
    assert len(Calendar.from_ical(feed["ics"]).walk("VEVENT")) == 1
    _, rotated = await api.call("POST", "/internal/me/calendar-feed/rotate", me)
    assert rotated["url"] != first["url"]
    status, _ = await api.call("GET", f"/internal/calendar-feeds/{token}.ics", shop.guest)
    assert status == 404


async def test_r_a3_reschedule_preview_says_who_when_and_until_when_cancelling_stays_possible(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines, policy=BookingPolicy(cancel_window_hours=48, reschedule_window_hours=12))
    ana, bea = shop.staff_ids
    me = shop.client(uuid.uuid4())
    start = tomorrow_at(10, api.clock, days=4)
    _, made = await book(api, shop, me, start, staff_id=ana)
    booking_id = made["booking"]["id"]
    preview = f"/internal/me/bookings/{booking_id}/reschedule-preview"
    soon = tomorrow_at(15, api.clock)  # 15 to 39 hours ahead: inside the cancellation window
    status, taken = await book(api, shop, shop.guest, soon, staff_id=ana)
    assert status == 201, taken

    status, body = await api.call("GET", preview, me, params={"start": soon.isoformat()})
    assert status == 200, body
    assert (body["before"]["starts_at"], body["before"]["staff"]["id"]) == (start.isoformat(), ana)
    assert body["before"]["actions"]["cancel"]["allowed"] is True
    after = body["after"]
    assert (after["starts_at"], after["staff"]) == (soon.isoformat(), {"id": bea, "name": "Bea"})  # Ana is busy
    assert after["ends_at"] == (soon + timedelta(minutes=60)).isoformat()
    assert after["actions"]["cancel"] == {
        "allowed": False, "until": hours_before(soon, 48), "reason": "inside_policy_window",
        "fee_minor": None, "currency": None,
    }  # fmt: skip
    assert after["actions"]["reschedule"]["allowed"] is True
    later = tomorrow_at(11, api.clock, days=5)
    _, body = await api.call("GET", preview, me, params={"start": later.isoformat()})
    assert body["after"]["staff"]["id"] == ana  # the same staff member when free
    assert body["after"]["actions"]["cancel"]["until"] == hours_before(later, 48)

    # Nothing moved; a time nobody is free at, a bad start and someone else's booking are refused.
    _, seen = await api.call("GET", f"/internal/me/bookings/{booking_id}", me)
    assert seen["booking"]["starts_at"] == start.isoformat()
    assert (await book(api, shop, shop.guest, soon, staff_id=bea))[0] == 201
    status, body = await api.call("GET", preview, me, params={"start": soon.isoformat()})
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    status, body = await api.call("GET", preview, me, params={"start": "tomorrow"})
    assert status == 422, body
    status, body = await api.call("GET", preview, shop.client(uuid.uuid4()), params={"start": later.isoformat()})
    assert status == 404, body
    token = (await book(api, shop, shop.guest, tomorrow_at(10, api.clock, days=6)))[1]["manage_link"].split("token=")[1]
    status, body = await api.call(
        "GET", "/internal/manage/reschedule-preview", shop.guest, params={"token": token, "start": later.isoformat()}
    )
    assert (status, body["after"]["starts_at"]) == (200, later.isoformat())


def hours_before(moment: datetime, hours: int) -> str:
    """``hours`` of real time before ``moment`` (not of wall clock: a DST night may be between), as the
    business tells it, with its zone's offset then."""
    return (moment.astimezone(UTC) - timedelta(hours=hours)).astimezone(ZoneInfo("Europe/Madrid")).isoformat()
