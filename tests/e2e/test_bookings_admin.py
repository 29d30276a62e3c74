"""The business API through the gateway: staff book for a client (R-A6), see whether each booking
is assigned (R-A8), assign all of a client's bookings, mark completed, and the client's history
(R-A10) and deleted bookings (R-A4) follow."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest

from regulars.shared.testing.businesses import catalog, fresh_bookable_business, guest, signed_up
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.clock]


async def test_staff_booking_assignment_completion_history_and_delete(stack: Stack) -> None:
    slug, key = fresh_bookable_business(stack, "admin")
    admin = f"/api/v1/admin/businesses/{slug}"
    email = f"bo-{slug}@example.com"
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_id = await catalog(gw, slug, key)

        # A guest booking made while the account exists is not assigned (R-A7) …
        session = await signed_up(gw, slug, email)
        status, made = await gw.call(
            "POST", f"/api/v1/b/{slug}/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": service_id, "start": (await gw.free_slot(slug, service_id, 30)).isoformat(),
                  "client": guest(email)},
        )  # fmt: skip
        assert status == 201, made

        # … while a staff booking for that verified email is (R-A6).
        async def staff_booked() -> Any:
            status, body = await gw.call(
                "POST", f"{admin}/bookings", token=key,
                json={"service_id": service_id, "start": (await gw.free_slot(slug, service_id, 2)).isoformat(),
                      "client": guest(email)},
            )  # fmt: skip
            assert status == 201, body
            return body["booking"]

        booked = await eventually(staff_booked)
        assert booked["assigned"] is True
        status, listed = await gw.call("GET", f"{admin}/bookings", token=key)
        assert status == 200
        assigned = {b["id"]: b["assigned"] for b in listed["bookings"]}
        assert assigned == {made["booking"]["id"]: False, booked["id"]: True}

        # R-A8: all of the client's bookings to the one linked account.
        status, clients = await gw.call("GET", f"{admin}/client-records", token=key)
        record = next(c for c in clients["clients"] if c["email"] == email)
        assert record["can_assign_all"] is True
        status, done = await gw.call("POST", f"{admin}/client-records/{record['id']}/assign-all", token=key)
        assert status == 200, done
        assert done["assigned"] == [made["booking"]["id"]]
        status, mine = await gw.call("GET", f"/api/v1/b/{slug}/me/bookings", token=session)
        assert {b["id"] for b in mine["bookings"]} == {made["booking"]["id"], booked["id"]}

        # Not started yet: cannot be completed; bad ids are 404, not 500.
        status, body = await gw.call("POST", f"{admin}/bookings/{booked['id']}/complete", token=key)
        assert (status, body["error"]["code"]) == (409, "booking_not_started")
        status, body = await gw.call("POST", f"{admin}/bookings/not-a-uuid/complete", token=key)
        assert (status, body["error"]["code"]) == (404, "booking_not_found")

        # R-A4: deleted by the business, gone for the client.
        status, _ = await gw.call("DELETE", f"{admin}/bookings/{made['booking']['id']}", token=key)
        assert status == 204
        status, mine = await gw.call("GET", f"/api/v1/b/{slug}/me/bookings", token=session)
        assert [b["id"] for b in mine["bookings"]] == [booked["id"]]
        status, history = await gw.call("GET", f"/api/v1/b/{slug}/me/history", token=session)
        assert (status, history["history"]) == (200, [])

        # Another business's key is refused for this business.
        _, other_key = fresh_bookable_business(stack, "other")
        status, body = await gw.call("GET", f"{admin}/bookings", token=other_key)
        assert (status, body["error"]["code"]) == (404, "business_not_found")
