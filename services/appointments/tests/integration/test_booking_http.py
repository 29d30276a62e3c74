"""Catalog, availability and the booking lifecycle on the real database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.testing.inprocess import Api

from .conftest import book, make_shop, tomorrow_at

pytestmark = [pytest.mark.integration, pytest.mark.clock]


async def test_availability_is_iso_with_offset_and_excludes_booked_slot(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    day = tomorrow_at(9, api.clock).date().isoformat()
    params = {"service_id": shop.service_id, "from": day, "to": day, "staff_id": shop.staff_ids[0]}
    status, body = await api.call("GET", "/internal/availability", shop.guest, params=params)
    assert status == 200, body
    # In the business's zone, with that day's offset.
    assert body["slots"][0]["start"] == tomorrow_at(9, api.clock).isoformat()
    assert body["slots"][-1]["start"] == tomorrow_at(17, api.clock).isoformat()
    status, made = await book(api, shop, shop.guest, tomorrow_at(10, api.clock), staff_id=shop.staff_ids[0])
    assert status == 201, made
    assert made["booking"]["starts_at"] == tomorrow_at(10, api.clock).isoformat()
    _, body = await api.call("GET", "/internal/availability", shop.guest, params=params)
    starts = [s["start"][11:16] for s in body["slots"]]
    # The booking holds 10:00-11:15 (60 minutes plus a 15-minute buffer); a new booking
    # also needs its own buffer, so nothing before 11:15 is free on that staff member.
    assert starts[0] == "11:15"
    assert starts[-1] == "17:00"


async def test_fifty_concurrent_requests_for_one_slot_give_one_booking(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    start = tomorrow_at(12, api.clock)
    results = await asyncio.gather(*(book(api, shop, shop.guest, start, staff_id=shop.staff_ids[0]) for _ in range(50)))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49, statuses
    assert {body["error"]["code"] for status, body in results if status == 409} == {"slot_unavailable"}
    _, listed = await api.call("GET", "/internal/admin/bookings", shop.admin)
    assert len(listed["bookings"]) == 1


async def test_any_staff_gives_the_next_free_staff_member(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    start = tomorrow_at(13, api.clock)
    first = await book(api, shop, shop.guest, start)
    second = await book(api, shop, shop.guest, start)
    third = await book(api, shop, shop.guest, start)
    assert [first[0], second[0], third[0]] == [201, 201, 409]
    assert first[1]["booking"]["staff"]["id"] != second[1]["booking"]["staff"]["id"]


async def test_idempotency_key_replays_and_refuses_other_body(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    key = uuid.uuid4().hex
    email = f"same-{uuid.uuid4().hex[:6]}@example.com"
    start = tomorrow_at(14, api.clock)
    first = await book(api, shop, shop.guest, start, email=email, staff_id=shop.staff_ids[0], key=key)
    again = await book(api, shop, shop.guest, start, email=email, staff_id=shop.staff_ids[0], key=key)
    assert first[0] == again[0] == 201
    assert first[1]["booking"]["id"] == again[1]["booking"]["id"]
    other = await book(api, shop, shop.guest, start + timedelta(hours=2), email=email, key=key)
    assert (other[0], other[1]["error"]["code"]) == (409, "idempotency_key_reused")
    status, body = await api.call("POST", "/internal/bookings", shop.guest, json={"service_id": shop.service_id})
    assert (status, body["error"]["code"]) == (400, "idempotency_key_required")


async def test_r_s1_required_logins_refuse_guests_with_account_required(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines, client_logins="required")
    status, body = await book(api, shop, shop.guest, tomorrow_at(10, api.clock))
    assert (status, body["error"]["code"]) == (401, "account_required")
    status, body = await book(api, shop, shop.client(uuid.uuid4()), tomorrow_at(10, api.clock))
    assert status == 201, body


async def test_r_i1_guest_answer_offers_account_prefilled(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    status, body = await book(api, shop, shop.guest, tomorrow_at(10, api.clock), email="Offer@Example.com")
    assert status == 201
    assert body["account_offer"] == {
        "first_name": "Gina",
        "last_name": "Guest",
        "email": "offer@example.com",
        "phone": "+34600000000",
    }
    assert "/manage?token=" in body["manage_link"]


async def test_bad_input_is_a_4xx(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    past = api.clock.now - timedelta(hours=1)
    status, body = await book(api, shop, shop.guest, past)
    assert (status, body["error"]["code"]) == (422, "start_in_past")
    status, body = await book(api, shop, shop.guest, tomorrow_at(10, api.clock).replace(minute=7))
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    status, body = await book(api, shop, shop.guest, tomorrow_at(20, api.clock))
    assert (status, body["error"]["code"]) == (409, "slot_unavailable")
    status, body = await api.call("GET", "/internal/availability", shop.guest, params={"service_id": "nope"})
    assert status == 422
    status, body = await api.call(
        "GET", "/internal/availability", shop.guest,
        params={"service_id": shop.service_id, "from": "2026-12-01", "to": "2027-06-01"},
    )  # fmt: skip
    assert (status, body["error"]["code"]) == (422, "range_too_long")
    status, body = await api.call(
        "POST", "/internal/bookings", shop.guest, json={"service_id": shop.service_id, "start": "2026-12-01T10:00"},
        headers={"Idempotency-Key": "x1"},
    )  # fmt: skip
    assert status == 422
    status, body = await api.call(
        "POST", "/internal/admin/services", shop.admin,
        json={"name": "X", "duration_minutes": 30, "price_minor": 100, "currency": "USD"},
    )  # fmt: skip
    assert (status, body["error"]["code"]) == (422, "currency_mismatch")


async def test_time_off_removes_slots(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    start = tomorrow_at(9, api.clock)
    for staff_id in shop.staff_ids:
        status, body = await api.call(
            "POST", f"/internal/admin/staff/{staff_id}/time-off", shop.admin,
            json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()},
        )  # fmt: skip
        assert status == 201, body
    day = start.date().isoformat()
    _, body = await api.call(
        "GET", "/internal/availability", shop.guest, params={"service_id": shop.service_id, "from": day, "to": day}
    )
    assert body["slots"][0]["start"] == (start + timedelta(hours=4)).isoformat()


async def test_r_a1_month_calendar_reads_time_off_and_bookings(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    ana = shop.staff_ids[0]
    closed, full = tomorrow_at(9, api.clock, days=2), tomorrow_at(9, api.clock, days=3)
    for staff_id, starts, hours in ((ana, closed, 9), (shop.staff_ids[1], closed, 9), (ana, full, 8)):
        status, body = await api.call(
            "POST", f"/internal/admin/staff/{staff_id}/time-off", shop.admin,
            json={"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=hours)).isoformat()},
        )  # fmt: skip
        assert status == 201, body
    status, body = await book(api, shop, shop.guest, full + timedelta(hours=8), staff_id=ana)
    assert status == 201, body

    async def month_of(day: datetime, **params: str) -> dict[str, Any]:
        query = {"service_id": shop.service_id, "month": day.date().isoformat()[:7], **params}
        status, body = await api.call("GET", "/internal/availability/month", shop.guest, params=query)
        assert status == 200, body
        return {d["date"]: d for d in body["days"]} | {"answer": body}

    days = await month_of(closed)
    assert days[closed.date().isoformat()]["status"] == "closed"
    assert days[full.date().isoformat()]["status"] == "open"  # Bea is free
    with_ana = await month_of(full, staff_id=ana)
    assert with_ana[full.date().isoformat()] == {"date": full.date().isoformat(), "status": "full", "free_times": 0}
    assert with_ana["answer"]["staff_id"] == ana
    assert with_ana["answer"]["timezone"] == "Europe/Madrid"
    yesterday = (tomorrow_at(9, api.clock, days=-2)).date().isoformat()
    assert with_ana.get(yesterday, {"status": "past"})["status"] == "past"
    first = with_ana["answer"]["first_free_day"]
    assert first is not None
    assert with_ana[first]["status"] == "open"
    assert with_ana[first]["free_times"] > 0
    for bad in ({"month": "2026-13"}, {"month": "november"}, {"month": "1850-01"}, {"staff_id": "x"}):
        query = {"service_id": shop.service_id, "month": "2026-11", **bad}
        status, body = await api.call("GET", "/internal/availability/month", shop.guest, params=query)
        assert status == 422, body
