"""Sign-up through the gateway with a phone: identity's registered event carries it, the notifications
contacts projection takes it, and an SMS reaches the client before they verified their email."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.notifications.adapters.tables import contacts
from regulars.shared.testing.businesses import create_api_key, create_business, register
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import texts
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


async def test_phone_given_at_sign_up_reaches_the_contact_and_is_texted_before_verification(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    slug = f"phone-{uuid.uuid4().hex[:8]}"
    create_business(
        stack, slug, org_name="Phone Org", name="Studio Tre", timezone="Europe/Rome", currency="EUR", locale="it"
    )
    phone = f"+39333{uuid.uuid4().int % 10**7:07d}"
    email = f"lia-{uuid.uuid4().hex[:6]}@example.com"
    async with aiohttp.ClientSession() as http:
        gw, key = Gateway(http, stack), create_api_key(stack, slug)

        spaced = phone.replace("+39333", "+39 333 ")
        await register(gw, slug, email, first_name="Lia", last_name="Neri", phone=spaced, marketing_opt_in=True)

        async def contact() -> Any:
            async with engines["notifications"].connect() as conn:
                return (
                    await conn.execute(
                        sa.select(contacts.c.account_id, contacts.c.phone).where(contacts.c.email == email)
                    )
                ).first()

        row = await eventually(contact)
        assert row.phone == phone  # normalised to E.164 by identity, with no email verification yet

        status, body = await gw.call(
            "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
            json={"channel": "sms", "title": "Benvenuta", "text": "Sconto sul primo taglio.",
                  "account_id": str(row.account_id)},
        )  # fmt: skip
        assert status == 202, body
        assert len(body["queued"]) == 1, body

        (sms,) = await eventually(lambda: texts(http, stack, phone))
        assert "Benvenuta" in sms["body"]
