"""Identity asks for an email; the notifications service renders it and the courier delivers it over SMTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.identity import PasswordResetRequested, VerificationRequested
from regulars.shared.db.tables import business_projection
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.businesses import create_business
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import wait_for_mails
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


def mail_business(stack: Stack, locale: str) -> dict[str, Any]:
    slug = f"mail-{uuid.uuid4().hex[:8]}"
    return create_business(
        stack, slug, org_name="Mail Org", client_database="per_business", name="Salone Rosa",
        timezone="Europe/Rome", currency="EUR", locale=locale,
    )  # fmt: skip


async def wait_for_projection(engine: AsyncEngine, business_id: str, timeout: float = 20.0) -> None:
    async def projected() -> bool:
        async with engine.connect() as conn:
            found = await conn.scalar(
                sa.select(business_projection.c.version).where(
                    business_projection.c.business_id == uuid.UUID(business_id)
                )
            )
        return found is not None

    await eventually(projected, timeout=timeout, every=0.2)


async def test_r_n3_verification_email_rendered_in_business_locale_and_delivered_over_smtp(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    business = mail_business(stack, "it")
    business_id = str(business["business_id"])
    await wait_for_projection(engines["notifications"], business_id)
    to = f"ana-{uuid.uuid4().hex[:6]}@example.com"
    event = VerificationRequested(
        org_id=uuid.UUID(str(business["org_id"])),
        business_id=uuid.UUID(business_id),
        to_email=to,
        locale=None,  # no client locale: the business's default (Italian) applies
        first_name="Ana",
        link="http://example.test/w/x/verify?token=abc&x=1",
        code="424242",
    )
    # Published the way identity publishes: through its outbox and relay.
    async with UnitOfWork(engines["identity"]) as uow:
        await uow.publish(event)

    mails = await wait_for_mails(stack, to, timeout=20.0)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["subject"] == "Conferma il tuo indirizzo email per Salone Rosa"
    assert "Ciao Ana" in mail["text"]
    assert "424242" in mail["text"]
    assert "http://example.test/w/x/verify?token=abc&x=1" in mail["text"]
    assert 'href="http://example.test/w/x/verify?token=abc&amp;x=1"' in mail["html"]
    assert "List-Unsubscribe" not in mail["headers"]  # security mail carries no unsubscribe


async def test_client_locale_wins_over_business_locale(stack: Stack, engines: dict[str, AsyncEngine]) -> None:
    business = mail_business(stack, "it")
    await wait_for_projection(engines["notifications"], str(business["business_id"]))
    to = f"joao-{uuid.uuid4().hex[:6]}@example.com"
    async with UnitOfWork(engines["identity"]) as uow:
        await uow.publish(
            PasswordResetRequested(
                org_id=uuid.UUID(str(business["org_id"])),
                business_id=uuid.UUID(str(business["business_id"])),
                to_email=to,
                locale="pt",
                first_name="João",
                link="http://example.test/w/x/reset-password?token=t",
            )
        )
    mails = await wait_for_mails(stack, to, timeout=20.0)
    assert [m["subject"] for m in mails] == ["Redefina a sua palavra-passe de Salone Rosa"]
    assert "Olá João" in mails[0]["text"]
