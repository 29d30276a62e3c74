"""Identity asks for an email; the notifications service renders it and the courier delivers it over SMTP."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.identity import MessageRequested
from regulars.shared.db.tables import business_projection
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.infra import REPO, Stack, settings_env

pytestmark = pytest.mark.e2e


def create_business(stack: Stack, locale: str) -> dict[str, Any]:
    slug = f"mail-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [sys.executable, "-m", "regulars.identity", "businesses", "create", "--org", f"org-{slug}",
         "--org-name", "Mail Org", "--client-database", "per_business", "--slug", slug, "--name", "Salone Rosa",
         "--timezone", "Europe/Rome", "--currency", "EUR", "--locale", locale],
        env=settings_env(stack.settings), cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    created: dict[str, Any] = json.loads(done.stdout.split("\nStore this key")[0])
    return created


async def wait_for_projection(engine: AsyncEngine, business_id: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with engine.connect() as conn:
            found = await conn.scalar(
                sa.select(business_projection.c.version).where(
                    business_projection.c.business_id == uuid.UUID(business_id)
                )
            )
        if found is not None:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the business never reached the notifications projection")


async def wait_for_mail(stack: Stack, to: str, timeout: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(f"{stack.mailbox_url}/api/messages", params={"to": to}) as response:
                found: list[dict[str, Any]] = await response.json()
            if found:
                return found
            await asyncio.sleep(0.2)
    return []


async def test_r_n3_verification_email_rendered_in_business_locale_and_delivered_over_smtp(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    business = create_business(stack, "it")
    business_id = str(business["business_id"])
    await wait_for_projection(engines["notifications"], business_id)
    to = f"ana-{uuid.uuid4().hex[:6]}@example.com"
    event = MessageRequested(
        org_id=uuid.UUID(str(business["org_id"])),
        business_id=uuid.UUID(business_id),
        template="verify_email",
        category="security",
        to_email=to,
        locale=None,  # no client locale: the business's default (Italian) applies
        variables={"first_name": "Ana", "link": "http://example.test/w/x/verify?token=abc&x=1", "code": "424242"},
    )
    # Published the way identity publishes: through its outbox and relay.
    async with UnitOfWork(engines["identity"]) as uow:
        await uow.publish(event)

    mails = await wait_for_mail(stack, to)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["subject"] == "Conferma il tuo indirizzo email per Salone Rosa"
    assert "Ciao Ana" in mail["text"]
    assert "424242" in mail["text"]
    assert "http://example.test/w/x/verify?token=abc&x=1" in mail["text"]
    assert 'href="http://example.test/w/x/verify?token=abc&amp;x=1"' in mail["html"]
    assert "List-Unsubscribe" not in mail["headers"]  # security mail carries no unsubscribe


async def test_client_locale_wins_over_business_locale(stack: Stack, engines: dict[str, AsyncEngine]) -> None:
    business = create_business(stack, "it")
    await wait_for_projection(engines["notifications"], str(business["business_id"]))
    to = f"joao-{uuid.uuid4().hex[:6]}@example.com"
    async with UnitOfWork(engines["identity"]) as uow:
        await uow.publish(
            MessageRequested(
                org_id=uuid.UUID(str(business["org_id"])),
                business_id=uuid.UUID(str(business["business_id"])),
                template="password_reset",
                category="security",
                to_email=to,
                locale="pt",
                variables={"first_name": "João", "link": "http://example.test/w/x/reset-password?token=t"},
            )
        )
    mails = await wait_for_mail(stack, to)
    assert [m["subject"] for m in mails] == ["Redefina a sua palavra-passe de Salone Rosa"]
    assert "Olá João" in mails[0]["text"]
