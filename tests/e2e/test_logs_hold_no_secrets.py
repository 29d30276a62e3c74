"""Issue 8: after a run of real flows, including a failed insert, no process's log holds a password,
a password hash, a token, an API key or a card number; and a body holding a card number is refused
at the gateway (422 ``card_number_refused``), logged without the number.

The stack is shared by the session, so the scan looks for the exact values this test used, plus
two shapes that never belong in a log whoever wrote them: an argon2 hash and a card number
(``regulars.shared.card_numbers``: 13 to 19 digits that pass the Luhn check).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.tables import client_accounts
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import make_business
from regulars.shared.card_numbers import card_numbers_in
from regulars.shared.testing.gateway import Gateway, widget_at
from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.mailbox import link_in, wait_for_mail

pytestmark = pytest.mark.e2e

CARD = "4242 4242 4242 4242"
ARGON2 = re.compile(r"\$argon2(?:id|i|d)\$")


@pytest.fixture
async def refused_name(engines: dict[str, AsyncEngine]) -> AsyncIterator[str]:
    """A first name the identity database refuses: a sign-up with it is an insert failing in PostgreSQL,
    whose error quotes the whole row (hash, email, names). NOT VALID: rows already there are not checked."""
    name = f"Refused{uuid.uuid4().hex[:8]}"
    constraint = f"test_refuse_{name.lower()}"
    async with engines["identity"].begin() as conn:
        await conn.execute(
            sa.text(f"ALTER TABLE client_accounts ADD CONSTRAINT {constraint} CHECK (first_name <> '{name}') NOT VALID")
        )
    try:
        yield name
    finally:
        async with engines["identity"].begin() as conn:
            await conn.execute(sa.text(f"ALTER TABLE client_accounts DROP CONSTRAINT {constraint}"))


async def _signed_up_and_verified(widget: Gateway, stack: Stack, slug: str, email: str, password: str) -> str:
    form = {"email": email, "password": password, "first_name": "Marta", "last_name": "Soler", "locale": "en"}
    assert (await widget.call("POST", "/auth/register", json=form))[0] == 202
    token = link_in(await wait_for_mail(stack, email), stack, slug, "verify")
    status, body = await widget.call("POST", "/auth/verify", json={"token": token})
    assert status == 200, body
    return token


async def test_logs_hold_no_password_hash_token_key_or_card(
    stack: Stack, ident: Identity, refused_name: str, engines: dict[str, AsyncEngine]
) -> None:
    business = await make_business(ident)
    widget, stranger = widget_at(stack, business.slug), widget_at(stack, business.slug)
    email = f"secrets-{uuid.uuid4().hex[:8]}@example.com"
    password, wrong, new_password = (f"{kind} {uuid.uuid4().hex}" for kind in ("right", "wrong", "renewed"))
    refused_email = f"refused-{uuid.uuid4().hex[:8]}@example.com"
    secrets: dict[str, str] = {"password": password, "wrong password": wrong, "new password": new_password}
    try:
        secrets["verification token"] = await _signed_up_and_verified(widget, stack, business.slug, email, password)

        # The failed insert: before issue 8 its parameters and PostgreSQL's "Failing row" reached the log.
        form = {"email": refused_email, "password": password, "first_name": refused_name, "last_name": "Soler"}
        status, body = await stranger.call("POST", "/auth/register", json=form)
        assert status == 503, body  # an injected database fault, not bad input

        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("POST", "/auth/login", json={"email": email, "password": wrong}))[0] == 401
        status, signed_in = await widget.call("POST", "/auth/login", json={"email": email, "password": password})
        assert status == 200, signed_in
        secrets["session token"] = signed_in["session"]["token"]
        status, refused = await widget.call("PATCH", "/me", json={"address": {"line1": CARD, "city": "Girona"}})
        assert (status, refused["error"]["code"]) == (422, "card_number_refused"), refused
        assert refused["error"]["fields"][0]["field"] == "address.line1"
        assert CARD not in str(refused)

        assert (await widget.call("POST", "/auth/password/forgot", json={"email": email}))[0] == 202
        reset = link_in(await wait_for_mail(stack, email, subject_has="reset"), stack, business.slug, "reset-password")
        secrets["reset token"] = reset
        status, body = await widget.call(
            "POST", "/auth/password/reset", json={"token": reset, "password": new_password}
        )
        assert status == 204, body

        key = str(identity_cli(stack, "api-keys", "create", "--business", business.slug)["key"])
        secrets["API key"] = key
        async with Gateway.device(stack, base=f"/api/v1/admin/businesses/{business.slug}") as staff:
            status, found = await staff.call("GET", "/clients", token=key, params={"email": email})
            assert status == 200, found
            assert (await staff.call("GET", "/settings", token=key + "x"))[0] == 401
    finally:
        await widget.close()
        await stranger.close()
    async with engines["identity"].connect() as conn:
        stored = await conn.scalar(sa.select(client_accounts.c.password_hash).where(client_accounts.c.email == email))
    assert stored is not None
    assert ARGON2.match(stored)
    secrets["password hash"] = stored
    secrets["hash's digest"] = stored.rsplit("$", 1)[1]
    # The refused sign-up's own data: its insert failed, so only a log could still hold it.
    secrets.update({"refused email": refused_email, "refused name": refused_name})

    leaks = _leaks(stack.log_dir, secrets)
    assert leaks == [], "\n".join(leaks)
    assert '"field": "address.line1"' in (stack.log_dir / "gateway.log").read_text()  # the refusal, logged


def _leaks(log_dir: Path, secrets: dict[str, Any]) -> list[str]:
    leaks: list[str] = []
    files = sorted(log_dir.glob("*.log"))
    assert {f.stem for f in files} >= set(Stack.PROCESSES), files
    for log in files:
        text = log.read_text(errors="replace")
        leaks += [f"{log.name}: the {what}" for what, value in secrets.items() if value in text]
        leaks += [f"{log.name}: an argon2 hash" for _ in ARGON2.finditer(text)][:1]
        leaks += [f"{log.name}: a card number {digits[:4]}…" for digits in card_numbers_in(text)]
    return leaks
