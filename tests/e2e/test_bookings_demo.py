"""The demo of `make run`: identity's demo businesses, appointments' demo catalog, and the issue's
walk-through on them — a guest books on demo-salon and gets the confirmation with a calendar file,
creates an account from it, verifies, sees and moves the booking; demo-salon-uptown (same
organization, global client database, logins required) shows both locations' bookings labelled and
refuses guests; happy-paws (another organization) refuses the session."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar

from regulars.shared.testing.businesses import PASSWORD, guest, signed_up
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import REPO, Stack, settings_env
from regulars.shared.testing.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.clock]


async def cli(stack: Stack, *args: str) -> str:
    """A command run without blocking the event loop (the seed waits for events to arrive)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, env=settings_env(stack.settings), cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, stdout.decode() + stderr.decode()
    return stdout.decode()


async def test_demo_walk_through(stack: Stack, tmp_path: Path) -> None:
    await cli(stack, "regulars.identity", "demo", "seed", "--out", str(tmp_path / "demo.json"))
    seeded = await cli(stack, "regulars.appointments", "demo", "seed", "--wait", "60")
    assert '"missing": []' in seeded
    email = f"demo-{uuid.uuid4().hex[:8]}@example.com"
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        status, services = await gw.call("GET", "/api/v1/b/demo-salon/services")
        assert status == 200
        haircut = next(s for s in services["services"] if s["name"] == "Women's haircut")
        status, paws = await gw.call("GET", "/api/v1/b/happy-paws/services")
        assert {s["currency"] for s in paws["services"]} == {"USD"}

        start = (await gw.free_slot("demo-salon", haircut["id"], 26)).isoformat()
        status, made = await gw.call(
            "POST", "/api/v1/b/demo-salon/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": haircut["id"], "start": start, "client": guest(email),
                  "intake_answers": {"allergies": "none"}},
        )  # fmt: skip
        assert status == 201, made
        booking_id = made["booking"]["id"]
        confirmation = (await eventually(lambda: gw.mail(email, "Booked")))[0]
        (ics,) = [a for a in confirmation["attachments"] if a["content_type"] == "text/calendar"]
        assert str(Calendar.from_ical(ics["content"]).walk("VEVENT")[0]["uid"]) == f"{booking_id}@regulars"

        offer = made["account_offer"]
        session = await signed_up(gw, "demo-salon", offer["email"], offer["first_name"], offer["last_name"])

        async def mine() -> Any:
            status, body = await gw.call("GET", "/api/v1/b/demo-salon/me/bookings", token=session)
            return body["bookings"] if status == 200 and body["bookings"] else None

        assert [b["id"] for b in await eventually(mine)] == [booking_id]
        new_start = (await gw.free_slot("demo-salon", haircut["id"], 50)).isoformat()
        status, moved = await gw.call(
            "POST", f"/api/v1/b/demo-salon/me/bookings/{booking_id}/reschedule", token=session,
            json={"start": new_start},
        )  # fmt: skip
        assert status == 200, moved
        await eventually(lambda: gw.mail(email, "Changed"))
        status, policy = await gw.call("GET", f"/api/v1/b/demo-salon/me/bookings/{booking_id}/policy", token=session)
        cancel_until = datetime.fromisoformat(new_start) - timedelta(hours=24)
        assert datetime.fromisoformat(policy["actions"]["cancel"]["until"]) == cancel_until  # the same instant

        # demo-salon-uptown requires accounts: a guest is refused, the same account signs in.
        status, refused = await gw.call(
            "POST", "/api/v1/b/demo-salon-uptown/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": haircut["id"], "start": new_start, "client": guest(email)},
        )  # fmt: skip
        assert (status, refused["error"]["code"]) == (401, "account_required")
        status, uptown = await gw.call(
            "POST", "/api/v1/b/demo-salon-uptown/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert status == 200, uptown
        status, uptown_services = await gw.call("GET", "/api/v1/b/demo-salon-uptown/services")
        uptown_cut = next(s for s in uptown_services["services"] if s["name"] == "Men's haircut")
        uptown_start = (await gw.free_slot("demo-salon-uptown", uptown_cut["id"], 26)).isoformat()
        status, second = await gw.call(
            "POST", "/api/v1/b/demo-salon-uptown/bookings", token=uptown["session"]["token"],
            headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": uptown_cut["id"], "start": uptown_start, "client": guest(email)},
        )  # fmt: skip
        assert status == 201, second
        status, both = await gw.call("GET", "/api/v1/b/demo-salon-uptown/me/bookings", token=uptown["session"]["token"])
        labelled = {(b["service"]["name"], b["business"]["name"]) for b in both["bookings"]}
        assert labelled == {("Women's haircut", "Demo Salon"), ("Men's haircut", "Demo Salon Uptown")}

        status, body = await gw.call("GET", "/api/v1/b/happy-paws/me/bookings", token=session)
        assert status in (401, 404), body
