"""Issue 14, point 7, through the whole system: a signed-in client's booking and change emails speak
the account's language and greet the account's first name as they are when the email goes out, not
the language the widget was in nor the name the business's client record keeps (R-I8)."""

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


async def test_emails_follow_the_accounts_language_and_name_after_a_profile_change(stack: Stack) -> None:
    slug, key = fresh_bookable_business(stack, "lang")
    email = f"bo-{slug}@example.com"
    async with aiohttp.ClientSession() as http:
        service_id = await catalog(Gateway(http, stack), slug, key)
        session = await signed_up(Gateway(http, stack), slug, email, first_name="Bo")  # an English account
        gw = Gateway(http, stack, base=f"/api/v1/b/{slug}", token=session)

        async def book_in_english_as_bo(hours: float) -> tuple[int, Any]:
            start = await gw.free_slot(slug, service_id, hours)
            return await gw.call(
                "POST", "/bookings", headers={"Idempotency-Key": uuid.uuid4().hex},
                json={"service_id": service_id, "start": start.isoformat(),
                      "client": {**guest(email), "first_name": "Bo"}, "locale": "en"},
            )  # fmt: skip

        # Booked in English as "Bo": the business's client record keeps that name.
        status, made = await book_in_english_as_bo(72)
        assert status == 201, made
        booked = (await eventually(lambda: gw.mail(email, "Booked")))[0]
        assert "Hi Bo," in booked["text"]

        # The account switches to Spanish and a new first name.
        status, account = await gw.call("PATCH", "/me", json={"locale": "es", "first_name": "Roberta"})
        assert status == 200, account
        assert (account["locale"], account["first_name"]) == ("es", "Roberta")

        # The change email goes in Spanish, to "Roberta", though the widget still says English.
        status, moved = await gw.call(
            "POST", f"/me/bookings/{made['booking']['id']}/reschedule",
            json={"start": (await gw.free_slot(slug, service_id, 96)).isoformat()},
        )  # fmt: skip
        assert status == 200, moved
        change = (await eventually(lambda: gw.mail(email, "Cambio")))[0]
        assert "Hola Roberta:" in change["text"]

        # A new booking from the English widget, with the record's old name: Spanish, "Roberta".
        status, second = await book_in_english_as_bo(120)
        assert status == 201, second
        confirmation = (await eventually(lambda: gw.mail(email, "Reservada")))[0]
        assert "Hola Roberta:" in confirmation["text"]
        assert len(await gw.mail(email, "Booked")) == 1  # nothing else went in English
