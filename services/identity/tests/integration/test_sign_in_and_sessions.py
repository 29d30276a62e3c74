"""Sign-in, sessions and their scope (R-I4, R-T2, R-T4), rate limits that cannot lock a client out."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

import pytest

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.service_layer import auth
from regulars.identity.service_layer.clients import Caller, Identity
from regulars.identity.testing import (
    NOW,
    account_row,
    caller,
    creds,
    error_of,
    fresh_ip,
    make_business,
    outbox_events,
    registration,
    signed_up_and_verified,
    unique_email,
)

pytestmark = pytest.mark.integration


async def test_r_i4_wrong_password_and_unknown_email_get_the_same_answer(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    wrong = await error_of(auth.login(ident, business.slug, creds(client.email, "not the password"), caller(), NOW))
    unknown = await error_of(auth.login(ident, business.slug, creds(unique_email()), caller(), NOW))
    assert (wrong.status, wrong.code, wrong.message) == (unknown.status, unknown.code, unknown.message)
    assert wrong.body() == unknown.body()


async def test_r_i4_unknown_email_costs_a_password_check_like_a_wrong_password(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)

    async def timed(email: str) -> float:
        started = time.perf_counter()
        await error_of(auth.login(ident, business.slug, creds(email, "wrong password!"), caller(), NOW))
        return time.perf_counter() - started

    known: list[float] = []
    unknown: list[float] = []
    for _ in range(9):  # interleaved, so a change in the machine's load hits both alike
        known.append(await timed(client.email))
        unknown.append(await timed(unique_email()))
    # Same class: both pay for an argon2 check; neither is several times the other.
    assert 0.5 < statistics.median(unknown) / statistics.median(known) < 2.0


async def test_r_i4_sign_in_opens_a_session_that_sign_out_ends_at_once(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    signed_in = await auth.login(ident, business.slug, creds(client.email), caller(), NOW)
    resolved = await auth.resolve_session(ident, business.slug, signed_in.session.token, NOW)
    assert resolved.account_id == signed_in.account.account_id

    await auth.logout(ident, business.slug, signed_in.session.token, NOW)
    gone = await error_of(auth.resolve_session(ident, business.slug, signed_in.session.token, NOW))
    assert (gone.status, gone.code) == (401, "not_signed_in")
    revoked = await outbox_events(ident.engine, "identity.session.revoked.v1", session_id=resolved.session_id)
    assert [event["reason"] for event in revoked] == ["logout"]


async def test_session_expires_after_its_lifetime(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    token = client.signed_in.session.token
    expires_at = client.signed_in.session.expires_at
    assert expires_at - NOW == timedelta(days=30)
    assert await auth.resolve_session(ident, business.slug, token, expires_at - timedelta(seconds=1))
    expired = await error_of(auth.resolve_session(ident, business.slug, token, expires_at))
    assert expired.code == "not_signed_in"


async def test_r_t2_global_account_signs_in_on_every_business_of_the_organization(ident: Identity) -> None:
    org = f"org-{uuid.uuid4().hex[:10]}"
    first = await make_business(ident, client_database="global", org_slug=org)
    sibling = await make_business(ident, client_database="global", org_slug=org)
    client = await signed_up_and_verified(ident, first)
    assert client.signed_in is not None
    assert client.signed_in.account.account_scope == "organization"
    signed_in = await auth.login(ident, sibling.slug, creds(client.email), caller(), NOW)
    assert signed_in.account.account_id == client.signed_in.account.account_id
    # The session made on the first business's widget works on the sibling too.
    resolved = await auth.resolve_session(ident, sibling.slug, client.signed_in.session.token, NOW)
    assert resolved.business.business_id == sibling.business_id


async def test_r_t2_per_business_account_is_unknown_on_a_sibling_business(ident: Identity) -> None:
    org = f"org-{uuid.uuid4().hex[:10]}"
    first = await make_business(ident, org_slug=org)
    sibling = await make_business(ident, org_slug=org)
    client = await signed_up_and_verified(ident, first)
    assert client.signed_in is not None
    refused = await error_of(auth.login(ident, sibling.slug, creds(client.email), caller(), NOW))
    assert refused.code == "invalid_credentials"
    cross = await error_of(auth.resolve_session(ident, sibling.slug, client.signed_in.session.token, NOW))
    assert cross.status == 404


async def test_r_t4_session_is_refused_with_404_on_another_organization(ident: Identity) -> None:
    home = await make_business(ident, client_database="global")
    other = await make_business(ident, client_database="global")
    client = await signed_up_and_verified(ident, home)
    assert client.signed_in is not None
    refused = await error_of(auth.resolve_session(ident, other.slug, client.signed_in.session.token, NOW))
    assert (refused.status, refused.code) == (404, "not_found")


async def test_login_rate_limit_per_address_and_account_comes_before_hashing(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    attacker = Caller(ip=fresh_ip())
    for _ in range(10):
        assert (
            await error_of(auth.login(ident, business.slug, creds(client.email, "guess guess"), attacker, NOW))
        ).code == ("invalid_credentials")
    started = time.perf_counter()
    limited = await error_of(auth.login(ident, business.slug, creds(client.email, "guess guess"), attacker, NOW))
    assert (limited.status, limited.code) == (429, "rate_limited")
    # Even the right password is refused from this address now, and without hashing.
    limited = await error_of(auth.login(ident, business.slug, creds(client.email), attacker, NOW))
    assert limited.code == "rate_limited"
    assert time.perf_counter() - started < 1.0
    # The client, from their own address, is not affected.
    assert await auth.login(ident, business.slug, creds(client.email), caller(), NOW)


async def test_login_rate_limit_per_address_across_accounts(ident: Identity) -> None:
    business = await make_business(ident)
    stuffer = Caller(ip=fresh_ip())
    for _ in range(60):
        await error_of(auth.login(ident, business.slug, creds(unique_email(), "some password"), stuffer, NOW))
    limited = await error_of(auth.login(ident, business.slug, creds(unique_email(), "some password"), stuffer, NOW))
    assert limited.code == "rate_limited"


async def test_distributed_guessing_cannot_lock_the_client_out(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    usual = Caller(ip=fresh_ip())
    await auth.login(ident, business.slug, creds(client.email), usual, NOW)  # a device the client uses
    for _ in range(4):  # 4 addresses, 10 wrong guesses: the account is now "under attack"
        bot = Caller(ip=fresh_ip())
        for _ in range(10):
            await error_of(auth.login(ident, business.slug, creds(client.email, "guess guess"), bot, NOW))
    # A fresh attacking address gets 3 tries, not 10.
    bot = Caller(ip=fresh_ip())
    codes = [
        (await error_of(auth.login(ident, business.slug, creds(client.email, "guess guess"), bot, NOW))).code
        for _ in range(4)
    ]
    assert codes == ["invalid_credentials"] * 3 + ["rate_limited"]
    # The client still gets in: from a fresh address and from the usual one.
    assert await auth.login(ident, business.slug, creds(client.email), Caller(ip=fresh_ip()), NOW)
    assert await auth.login(ident, business.slug, creds(client.email), usual, NOW)


async def test_rate_limit_windows_end(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    attacker = Caller(ip=fresh_ip())
    for _ in range(11):
        await error_of(auth.login(ident, business.slug, creds(client.email, "guess guess"), attacker, NOW))
    # Refused while the failures are within the last 15 minutes (counted by the minute), then let through.
    assert (
        await error_of(auth.login(ident, business.slug, creds(client.email), attacker, NOW + timedelta(minutes=15)))
    ).status == 429
    later = NOW + timedelta(minutes=16)
    assert await auth.login(ident, business.slug, creds(client.email), attacker, later)


async def test_password_rehashed_on_sign_in_when_parameters_rise(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    account_id = client.signed_in.account.account_id
    assert "t=2" in (await account_row(ident.engine, account_id)).password_hash
    stronger = PasswordHashing(time_cost=3, memory_kib=19456 * 2)
    try:
        raised = type(ident)(engine=ident.engine, hashing=stronger, public_url=ident.public_url)
        await auth.login(ident=raised, slug=business.slug, creds=creds(client.email), caller=caller(), now=NOW)
    finally:
        stronger.close()
    stored = (await account_row(ident.engine, account_id)).password_hash
    assert stored.startswith("$argon2id$")
    assert "m=38912,t=3,p=1" in stored
    assert await auth.login(ident, business.slug, creds(client.email), caller(), NOW)


async def test_sign_up_with_a_known_or_a_new_email_costs_the_same_class_of_time(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)

    async def timed(email: str) -> float:
        started = time.perf_counter()
        await auth.register(ident, business.slug, registration(email), caller(), NOW)
        return time.perf_counter() - started

    known: list[float] = []
    new: list[float] = []
    for _ in range(7):
        known.append(await timed(client.email))
        new.append(await timed(unique_email()))
    # Both hash the password: the difference is a few rows, well inside one argon2id check.
    assert 0.5 < statistics.median(new) / statistics.median(known) < 2.0
