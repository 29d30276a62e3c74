"""Issue 8: after a run of real flows, including a failed insert, no process's log holds a password,
a password hash, a token, an API key or a card-like number.

The stack is shared by the session, so the scan looks for the exact values this test used, plus
two shapes that never belong in a log whoever wrote them: an argon2 hash and a number of 13 to 19
digits that passes the Luhn check.
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
from regulars.shared.testing.gateway import Gateway, widget_at
from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.mailbox import link_in, wait_for_mail

pytestmark = pytest.mark.e2e

CARD = "4242 4242 4242 4242"
# A card number as people write it: 13-19 digits, or groups of four split by spaces or dashes, standing
# on its own (a run of digits inside a hex id such as a correlation id is part of that id, not a card).
CARD_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?![0-9A-Za-z])")
ARGON2 = re.compile(r"\$argon2(?:id|i|d)\$")


def passes_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def card_like_numbers(text: str) -> list[str]:
    found = (re.sub(r"[ -]", "", m.group()) for m in CARD_LIKE.finditer(text))
    return [digits for digits in found if 13 <= len(digits) <= 19 and passes_luhn(digits)]


def test_the_card_scan_finds_cards_and_ignores_ids_and_times() -> None:
    assert card_like_numbers(f"note: {CARD}.") == ["4242424242424242"]
    assert card_like_numbers("x 4000-0566-5566-5556 y 378282246310005") == ["4000056655665556", "378282246310005"]
    assert card_like_numbers("4242 4242 4242 4241") == []  # fails Luhn
    ordinary = '{"timestamp": "2026-03-27T10:00:00.123456Z", "id": "12345678-1234-1234-1234-123456789012"}'
    assert card_like_numbers(ordinary) == []
    # A hex correlation id whose first 15 characters are digits that pass the Luhn check (seen in a run).
    assert passes_luhn("718758408883433")
    assert card_like_numbers('{"correlation_id": "718758408883433da1abe3fe38f2c4d2"}') == []


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
        form = {"email": refused_email, "password": password, "first_name": refused_name, "last_name": CARD}
        status, body = await stranger.call("POST", "/auth/register", json=form)
        assert status == 503, body  # an injected database fault, not bad input

        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("POST", "/auth/login", json={"email": email, "password": wrong}))[0] == 401
        status, signed_in = await widget.call("POST", "/auth/login", json={"email": email, "password": password})
        assert status == 200, signed_in
        secrets["session token"] = signed_in["session"]["token"]
        status, me = await widget.call("PATCH", "/me", json={"address": {"line1": CARD, "city": "Girona"}})
        assert status == 200, me

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


def _leaks(log_dir: Path, secrets: dict[str, Any]) -> list[str]:
    leaks: list[str] = []
    files = sorted(log_dir.glob("*.log"))
    assert {f.stem for f in files} >= set(Stack.PROCESSES), files
    for log in files:
        text = log.read_text(errors="replace")
        leaks += [f"{log.name}: the {what}" for what, value in secrets.items() if value in text]
        leaks += [f"{log.name}: an argon2 hash" for _ in ARGON2.finditer(text)][:1]
        leaks += [f"{log.name}: a card-like number {digits[:4]}…" for digits in card_like_numbers(text)]
    return leaks
