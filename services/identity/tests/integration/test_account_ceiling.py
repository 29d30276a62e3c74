"""The per-account ceiling on failed sign-ins (ASVS 2.2.1) that never locks the owner out:
known devices and addresses keep their allowance, and an emailed sign-in link or code gets anyone
with the mailbox in. No answer tells whether the email has an account."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.domain import limits
from regulars.identity.service_layer import auth
from regulars.identity.service_layer.clients import Caller, Identity
from regulars.identity.testing import (
    NOW,
    PASSWORD,
    Client,
    caller,
    creds,
    emails_to,
    error_of,
    fresh_ip,
    last_message,
    make_business,
    registration,
    signed_up_and_verified,
    token_of,
    unique_email,
)
from regulars.shared.contracts.identity import BusinessSnapshot

pytestmark = pytest.mark.integration

CEILING = limits.LOGIN_FAILURES_PER_ACCOUNT.max_hits


@pytest.fixture(scope="module")
async def ident(engines: dict[str, AsyncEngine]) -> AsyncIterator[Identity]:
    """Identity with argon2id at its cheapest: these tests count hundreds of real password checks,
    and what they prove is which attempts are checked at all, not what a check costs."""
    hashing = PasswordHashing(time_cost=1, memory_kib=64, workers=2)
    yield Identity(engine=engines["identity"], hashing=hashing, public_url="https://clients.example.test")
    hashing.close()


async def guess_from_everywhere(ident: Identity, business: BusinessSnapshot, email: str, times: int) -> list[str]:
    """``times`` wrong passwords, each from a fresh address; the codes answered."""

    async def one() -> str:
        return (await error_of(auth.login(ident, business.slug, creds(email, "guess guess"), caller(), NOW))).code

    codes: list[str] = []
    for start in range(0, times, 10):  # ten at a time: the hashing pool is the bottleneck anyway
        codes += await asyncio.gather(*(one() for _ in range(min(10, times - start))))
    return codes


async def owner_with_a_device(ident: Identity, business: BusinessSnapshot) -> tuple[Client, Caller]:
    client = await signed_up_and_verified(ident, business, now=NOW - timedelta(days=2))
    usual = Caller(ip=fresh_ip(), device_id=uuid.uuid4().hex)
    await auth.login(ident, business.slug, creds(client.email), usual, NOW - timedelta(days=1))
    return client, usual


async def test_asvs_2_2_1_at_most_100_failed_sign_ins_an_hour_from_unknown_clients(ident: Identity) -> None:
    business = await make_business(ident)
    client, usual = await owner_with_a_device(ident, business)
    codes = await guess_from_everywhere(ident, business, client.email, CEILING)
    assert codes == ["invalid_credentials"] * CEILING
    # From any new address, even with the right password, no password is checked any more.
    for password in ("guess guess", PASSWORD):
        held = await error_of(auth.login(ident, business.slug, creds(client.email, password), caller(), NOW))
        assert (held.status, held.code) == (429, "sign_in_by_email")
        assert held.retry_after is not None
        assert 0 < held.retry_after <= 2 * 3600
    # The owner's device, from an address it never used, still signs in with the password ...
    elsewhere = Caller(ip=fresh_ip(), device_id=usual.device_id)
    assert await auth.login(ident, business.slug, creds(client.email), elsewhere, NOW)
    # ... and so does an address the owner signed in from lately, without the device cookie.
    assert await auth.login(ident, business.slug, creds(client.email), Caller(ip=usual.ip), NOW)
    # A made-up device id is an unknown device.
    stranger = Caller(ip=fresh_ip(), device_id=uuid.uuid4().hex)
    assert (await error_of(auth.login(ident, business.slug, creds(client.email), stranger, NOW))).code == (
        "sign_in_by_email"
    )


async def test_the_ceiling_answers_the_same_for_an_email_without_an_account(ident: Identity) -> None:
    business = await make_business(ident)
    client, _usual = await owner_with_a_device(ident, business)
    nobody = unique_email()
    await guess_from_everywhere(ident, business, client.email, CEILING)
    await guess_from_everywhere(ident, business, nobody, CEILING)
    known = await error_of(auth.login(ident, business.slug, creds(client.email), caller(), NOW))
    unknown = await error_of(auth.login(ident, business.slug, creds(nobody), caller(), NOW))
    assert (known.status, known.body(), known.retry_after) == (unknown.status, unknown.body(), unknown.retry_after)


async def test_the_ceiling_lifts_as_the_failures_age(ident: Identity) -> None:
    business = await make_business(ident)
    client, _usual = await owner_with_a_device(ident, business)
    await guess_from_everywhere(ident, business, client.email, CEILING)
    held = await error_of(auth.login(ident, business.slug, creds(client.email), caller(), NOW))
    assert held.retry_after is not None
    # The estimate of the last hour's failures still holds a second before Retry-After ...
    just_before = NOW + timedelta(seconds=held.retry_after - 2)
    early = await error_of(auth.login(ident, business.slug, creds(client.email), caller(), just_before))
    assert early.code == "sign_in_by_email"
    # ... and lets a password be tried once Retry-After has passed.
    later = NOW + timedelta(seconds=held.retry_after + 1)
    assert await auth.login(ident, business.slug, creds(client.email), caller(), later)


async def test_emailed_sign_in_link_and_code_get_the_owner_in_while_the_ceiling_holds(ident: Identity) -> None:
    business = await make_business(ident)
    client, _usual = await owner_with_a_device(ident, business)
    await guess_from_everywhere(ident, business, client.email, CEILING)
    new_phone = caller()
    await auth.request_sign_in_link(ident, business.slug, auth.EmailOnly(email=client.email), new_phone, NOW)
    message = await last_message(ident.engine, client.email, "sign_in_link")
    assert message["variables"]["link"].startswith(f"https://clients.example.test/w/{business.slug}/sign-in-link?")
    signed_in = await auth.sign_in_with_link(
        ident, business.slug, auth.Verification(token=token_of(message)), new_phone, NOW
    )
    assert signed_in.account.email == client.email
    again = await error_of(
        auth.sign_in_with_link(ident, business.slug, auth.Verification(token=token_of(message)), caller(), NOW)
    )
    assert again.code == "token_used"
    # The code of a second email works once too, and only for this purpose.
    await auth.request_sign_in_link(ident, business.slug, auth.EmailOnly(email=client.email), caller(), NOW)
    code = (await last_message(ident.engine, client.email, "sign_in_link"))["variables"]["code"]
    wrong_purpose = await error_of(
        auth.verify_email(ident, business.slug, auth.Verification(email=client.email, code=code), caller(), NOW)
    )
    assert wrong_purpose.code == "code_invalid"
    proof = auth.Verification(email=client.email, code=code)
    assert await auth.sign_in_with_link(ident, business.slug, proof, caller(), NOW)
    assert (await error_of(auth.sign_in_with_link(ident, business.slug, proof, caller(), NOW))).code == "code_invalid"
    # The link expires.
    await auth.request_sign_in_link(ident, business.slug, auth.EmailOnly(email=client.email), caller(), NOW)
    late = token_of(await last_message(ident.engine, client.email, "sign_in_link"))
    expired = await error_of(
        auth.sign_in_with_link(ident, business.slug, auth.Verification(token=late), caller(), NOW + timedelta(hours=1))
    )
    assert expired.code == "token_expired"


async def test_sign_in_link_goes_only_to_verified_accounts(ident: Identity) -> None:
    business = await make_business(ident)
    pending = unique_email()
    await auth.register(ident, business.slug, registration(pending), caller(), NOW)
    nobody = unique_email()
    for email in (pending, nobody):
        await auth.request_sign_in_link(
            ident, business.slug, auth.EmailOnly(email=email), caller(), NOW
        )  # accepted all the same
        sent = await emails_to(ident.engine, email)
        assert [m["template"] for m in sent if m["template"] == "sign_in_link"] == []


async def test_asvs_2_2_1_no_more_than_the_ceiling_in_any_hour_across_an_hour_edge(ident: Identity) -> None:
    """Failures just before and just after the hour all count: at 13:00:05, 60 from 12:59 and
    40 from 13:00 hold the account, as they would at any other minute."""
    business = await make_business(ident)
    email = unique_email()
    edge = NOW.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    async def guess(at: datetime, times: int) -> list[str]:
        async def one() -> str:
            attempt = auth.login(ident, business.slug, creds(email, "guess guess"), caller(), at)
            return (await error_of(attempt)).code

        return list(await asyncio.gather(*(one() for _ in range(times))))

    before = edge - timedelta(seconds=30)
    assert set(await guess(before, CEILING * 3 // 5)) == {"invalid_credentials"}
    after = edge + timedelta(seconds=5)
    assert set(await guess(after, CEILING - CEILING * 3 // 5)) == {"invalid_credentials"}
    assert set(await guess(after, 1)) == {"sign_in_by_email"}
    # The 12:59 failures stop counting once that minute ended an hour ago (14:00): then 40 remain.
    assert set(await guess(edge + timedelta(hours=1), 1)) == {"invalid_credentials"}
