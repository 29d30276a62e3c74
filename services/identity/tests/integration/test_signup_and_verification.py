"""Sign-up and email verification (R-I3), with no account enumeration."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from regulars.identity.adapters.tables import client_accounts, client_sessions, client_tokens
from regulars.identity.service_layer import auth
from regulars.identity.service_layer.clients import Identity
from regulars.identity.service_layer.jobs import prune_expired, purge_unverified
from regulars.identity.testing import (
    NOW,
    PASSWORD,
    account_row,
    caller,
    emails_to,
    error_of,
    last_message,
    make_business,
    outbox_events,
    registration,
    signed_up_and_verified,
    token_of,
    unique_email,
)
from regulars.shared.domain_errors import DomainError
from regulars.shared.settings import Settings

pytestmark = pytest.mark.integration


async def test_r_i3_sign_up_emails_a_widget_link_and_a_code(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email.upper(), locale="es"), caller(), NOW)

    message = await last_message(ident.engine, email, "verify_email")
    assert message["category"] == "security"
    assert message["locale"] == "es"
    assert message["variables"]["link"].startswith(f"https://clients.example.test/w/{business.slug}/verify?token=rgt_")
    assert len(message["variables"]["code"]) == 6
    registered = await outbox_events(ident.engine, "identity.client.registered.v1", email=email)
    assert len(registered) == 1
    assert registered[0]["business_id"] == str(business.business_id)
    assert registered[0]["account_scope_business_id"] == str(business.business_id)


async def test_registered_event_carries_the_phone_given_at_sign_up_normalised(ident: Identity) -> None:
    business = await make_business(ident)
    with_phone, without = unique_email(), unique_email()
    await auth.register(ident, business.slug, registration(with_phone, phone="+34 600 00 00 01"), caller(), NOW)
    await auth.register(ident, business.slug, registration(without), caller(), NOW)
    (registered,) = await outbox_events(ident.engine, "identity.client.registered.v1", email=with_phone)
    assert registered["phone"] == "+34600000001"  # notifications can text the client before verification
    (registered,) = await outbox_events(ident.engine, "identity.client.registered.v1", email=without)
    assert registered["phone"] is None


async def test_r_i3_verification_link_signs_in_once_and_emits_email_verified(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    assert client.signed_in.account.email_verified is True
    assert client.signed_in.session.token.startswith("rgs_")
    verified = await outbox_events(
        ident.engine, "identity.client.email_verified.v1", account_id=client.signed_in.account.account_id
    )
    assert len(verified) == 1

    message = await last_message(ident.engine, client.email, "verify_email")
    reused = await error_of(
        auth.verify_email(ident, business.slug, auth.Verification(token=token_of(message)), caller(), NOW)
    )
    assert (reused.status, reused.code) == (400, "token_used")


async def test_r_i3_verification_link_expires_after_48_hours(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email), caller(), NOW)
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    late = NOW + timedelta(hours=48)
    expired = await error_of(auth.verify_email(ident, business.slug, auth.Verification(token=token), caller(), late))
    assert (expired.status, expired.code) == (400, "token_expired")
    signed_in = await auth.verify_email(
        ident, business.slug, auth.Verification(token=token), caller(), NOW + timedelta(hours=47)
    )
    assert signed_in.account.email == email


async def test_r_i3_unknown_token_is_invalid(ident: Identity) -> None:
    business = await make_business(ident)
    unknown = await error_of(
        auth.verify_email(ident, business.slug, auth.Verification(token="rgt_nope"), caller(), NOW)
    )
    assert unknown.code == "token_invalid"


async def test_r_t4_verification_token_of_another_organization_is_invalid(ident: Identity) -> None:
    home = await make_business(ident)
    elsewhere = await make_business(ident)
    email = unique_email()
    await auth.register(ident, home.slug, registration(email), caller(), NOW)
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    refused = await error_of(auth.verify_email(ident, elsewhere.slug, auth.Verification(token=token), caller(), NOW))
    assert refused.code == "token_invalid"
    # The token was not spent by the refused attempt.
    signed_in = await auth.verify_email(ident, home.slug, auth.Verification(token=token), caller(), NOW)
    assert signed_in.account.email == email


async def test_r_i3_verification_code_works_and_wrong_codes_wear_it_out(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email), caller(), NOW)
    code = (await last_message(ident.engine, email, "verify_email"))["variables"]["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        refused = await error_of(
            auth.verify_email(ident, business.slug, auth.Verification(email=email, code=wrong), caller(), NOW)
        )
        assert refused.code == "code_invalid"
    # Five misses: the right code no longer works either.
    worn_out = await error_of(
        auth.verify_email(ident, business.slug, auth.Verification(email=email, code=code), caller(), NOW)
    )
    assert worn_out.code == "code_invalid"

    await auth.resend_verification(ident, business.slug, auth.EmailOnly(email=email), caller(), NOW)
    fresh = (await last_message(ident.engine, email, "verify_email"))["variables"]["code"]
    signed_in = await auth.verify_email(ident, business.slug, auth.Verification(email=email, code=fresh), caller(), NOW)
    assert signed_in.account.email_verified


async def test_register_with_a_known_email_says_the_same_and_emails_account_exists(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    before = await account_row(ident.engine, client.signed_in.account.account_id)
    # register() answers nothing either way: the HTTP layer answers 202 verification_sent for both.
    await auth.register(
        ident, business.slug, registration(client.email, password="another long password"), caller(), NOW
    )
    message = await last_message(ident.engine, client.email, "account_exists")
    assert message["variables"]["sign_in_link"].endswith(f"/w/{business.slug}/sign-in")
    assert message["variables"]["reset_link"].endswith(f"/w/{business.slug}/forgot-password")
    after = await account_row(ident.engine, client.signed_in.account.account_id)
    assert after.password_hash == before.password_hash  # nothing about the account changed


async def test_signing_up_again_before_verifying_replaces_the_pending_sign_up(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email, password="first password here"), caller(), NOW)
    first = token_of(await last_message(ident.engine, email, "verify_email"))
    await auth.register(ident, business.slug, registration(email, password="second password here"), caller(), NOW)
    second = token_of(await last_message(ident.engine, email, "verify_email"))
    old = await error_of(auth.verify_email(ident, business.slug, auth.Verification(token=first), caller(), NOW))
    assert old.code == "token_used"
    await auth.verify_email(ident, business.slug, auth.Verification(token=second), caller(), NOW)
    signed_in = await auth.login(
        ident, business.slug, auth.Credentials(email=email, password="second password here"), caller(), NOW
    )
    assert signed_in.account.email == email
    assert len(await outbox_events(ident.engine, "identity.client.registered.v1", email=email)) == 1


async def test_resend_is_silent_for_unknown_and_verified_addresses(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    unknown = unique_email()
    await auth.resend_verification(ident, business.slug, auth.EmailOnly(email=unknown), caller(), NOW)
    await auth.resend_verification(ident, business.slug, auth.EmailOnly(email=client.email), caller(), NOW)
    assert await emails_to(ident.engine, unknown) == []
    assert len(await emails_to(ident.engine, client.email)) == 1


async def test_r_i3_unverified_account_purged_after_7_days(ident: Identity, migrated: Settings) -> None:
    business = await make_business(ident)
    pending, verified = unique_email("pending"), unique_email("verified")
    await auth.register(ident, business.slug, registration(pending), caller(), NOW)
    await signed_up_and_verified(ident, business, verified)

    early = await purge_unverified(ident.engine, migrated, NOW + timedelta(days=7) - timedelta(seconds=1))
    assert await _exists(ident, pending)
    await purge_unverified(ident.engine, migrated, NOW + timedelta(days=7))
    assert not await _exists(ident, pending)
    assert await _exists(ident, verified)
    assert early["deleted"] >= 0
    deleted = await outbox_events(ident.engine, "identity.client.deleted.v1", business_id=business.business_id)
    assert len(deleted) == 1


async def _exists(ident: Identity, email: str) -> bool:
    async with ident.engine.connect() as conn:
        return bool(await conn.scalar(sa.select(sa.func.count()).where(client_accounts.c.email == email)))


async def test_r_i3_unverified_account_cannot_sign_in_even_with_its_password(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email), caller(), NOW)
    refused = await error_of(
        auth.login(ident, business.slug, auth.Credentials(email=email, password=PASSWORD), caller(), NOW)
    )
    assert (refused.status, refused.code) == (403, "email_not_verified")
    wrong = await error_of(
        auth.login(ident, business.slug, auth.Credentials(email=email, password="x" * 12), caller(), NOW)
    )
    assert wrong.code == "invalid_credentials"


async def test_r_s1_logins_off_answers_404_client_logins_disabled(ident: Identity) -> None:
    business = await make_business(ident, client_logins="off")
    for attempt in (
        auth.register(ident, business.slug, registration(unique_email()), caller(), NOW),
        auth.login(ident, business.slug, auth.Credentials(email=unique_email(), password=PASSWORD), caller(), NOW),
        auth.forgot_password(ident, business.slug, unique_email(), caller(), NOW),
    ):
        off = await error_of(attempt)
        assert (off.status, off.code) == (404, "client_logins_disabled")


async def test_prune_forgets_dead_links_sessions_and_old_rate_windows(ident: Identity, migrated: Settings) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    await auth.logout(ident, business.slug, client.signed_in.session.token, NOW)
    account_id = client.signed_in.account.account_id
    later = NOW + timedelta(days=2)
    result = await prune_expired(ident.engine, migrated, later)
    assert result["tokens"] >= 1
    assert result["sessions"] >= 1
    assert result["rate_limit_windows"] >= 1
    async with ident.engine.connect() as conn:
        for table in (client_tokens, client_sessions):
            assert await conn.scalar(sa.select(sa.func.count()).where(table.c.account_id == account_id)) == 0
    assert await _exists(ident, client.email)  # the account itself stays


async def test_concurrent_sign_ups_with_one_address_make_one_account(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    results = await asyncio.gather(
        *(auth.register(ident, business.slug, registration(email), caller(), NOW) for _ in range(4)),
        return_exceptions=True,
    )
    assert results == [None] * 4
    async with ident.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).where(client_accounts.c.email == email)) == 1
    assert len(await outbox_events(ident.engine, "identity.client.registered.v1", email=email)) == 1


async def test_one_verification_link_followed_twice_at_once_signs_in_once(ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    await auth.register(ident, business.slug, registration(email), caller(), NOW)
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    results = await asyncio.gather(
        *(auth.verify_email(ident, business.slug, auth.Verification(token=token), caller(), NOW) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sorted(r.code for r in results if isinstance(r, DomainError)) == ["token_used", "token_used"]
