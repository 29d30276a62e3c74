"""Booking times for tests, taken from the availability answer, never from the wall clock.

A test that computes "now + 30 hours" means something else at 16:00 than at 23:00 (the
time may fall outside working hours, or on another day). Asking the system for its first
free slot at least ``after`` ahead of its own clock means the same thing on any day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict, Unpack
from zoneinfo import ZoneInfo

import aiohttp

from regulars.shared import clock

SEARCH_DAYS = 14


class SlotSearch(TypedDict, total=False):
    after: timedelta  # how far ahead of now (the run's clock) the first start may be; default 0
    staff_id: str | None  # one staff member's free times; default anyone's
    timezone: str  # the business's, to pick the days to search; default Europe/Madrid
    days: int  # how many days to search; default SEARCH_DAYS


async def free_slots(
    http: aiohttp.ClientSession, gateway_url: str, slug: str, service_id: str, **search: Unpack[SlotSearch]
) -> list[datetime]:
    """Free starts of ``service_id`` later than ``after`` from now (the run's clock), soonest first."""
    earliest = clock.now() + search.get("after", timedelta(0))
    first_day = earliest.astimezone(ZoneInfo(search.get("timezone", "Europe/Madrid"))).date()
    last_day = first_day + timedelta(search.get("days", SEARCH_DAYS))
    params = {"service_id": service_id, "from": first_day.isoformat(), "to": last_day.isoformat()}
    if staff_id := search.get("staff_id"):
        params["staff_id"] = staff_id
    async with http.get(f"{gateway_url}/api/v1/b/{slug}/availability", params=params) as response:
        body = await response.json()
        assert response.status == 200, body
    starts = [datetime.fromisoformat(slot["start"]) for slot in body["slots"]]
    return [start for start in starts if start >= earliest]


async def first_free_slot(
    http: aiohttp.ClientSession, gateway_url: str, slug: str, service_id: str, **search: Unpack[SlotSearch]
) -> datetime:
    """The first free start at least ``after`` ahead (see ``free_slots``)."""
    found = await free_slots(http, gateway_url, slug, service_id, **search)
    assert found, f"no free time for {service_id} at {slug} in the next {search.get('days', SEARCH_DAYS)} days"
    return found[0]
