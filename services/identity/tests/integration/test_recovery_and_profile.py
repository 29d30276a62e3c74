"""Forgot / reset password (R-I5), profile, email and password changes (R-I7, R-I8), devices, export, deletion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from regulars.identity.adapters.tables import client_accounts, client_sessions
from regulars.identity.domain.accounts import ProfileChanges
from regulars.identity.service_layer import auth, profile
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import (
    NOW,
    PASSWORD,
    another_device,
    caller,
    emails_to,
    error_of,
    last_message,
    make_business,
    outbox_events,
    signed_in,
    signed_up_and_verified,
    token_of,
    unique_email,
)

pytestmark = pytest.mark.integration


async def test_r_i5_forgot_password_emails_a_link_only_to_existing_accounts(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    unknown = unique_email()
    await auth.forgot_password(ident, business.slug, client.email, caller(), NOW)  # answers nothing either way
    await auth.forgot_password(ident, business.slug, unknown, caller(), NOW)
    message = await last_message(ident.engine, client.email, "password_reset")
    assert f"/w/{business.slug}/reset-password?token=rgt_" in message["variables"]["link"]
    assert await emails_to(ident.engine, unknown) == []


async def test_r_i5_reset_link_is_single_use_revokes_sessions_and_tells_the_client(ident: Identity) -> None:
    business = await make_business(ident)
    client, me = await signed_in(ident, business)
    assert client.signed_in is not None
    await auth.forgot_password(ident, business.slug, client.email, caller(), NOW)
    token = token_of(await last_message(ident.engine, client.email, "password_reset"))
    new_password = "a brand new passphrase"
    await auth.reset_password(
        ident, business.slug, auth.PasswordReset(token=token, password=new_password), caller(), NOW
    )

    gone = await error_of(auth.resolve_session(ident, business.slug, client.signed_in.session.token, NOW))
    assert gone.code == "not_signed_in"
    assert await last_message(ident.engine, client.email, "password_changed")
    revoked = await outbox_events(ident.engine, "identity.session.revoked.v1", session_id=me.session_id)
    assert revoked[-1]["reason"] == "password_reset"
    reused = await error_of(
        auth.reset_password(
            ident, business.slug, auth.PasswordReset(token=token, password="yet another one!"), caller(), NOW
        )
    )
    assert (reused.status, reused.code) == (400, "token_used")
    old = await error_of(
        auth.login(ident, business.slug, auth.Credentials(email=client.email, password=PASSWORD), caller(), NOW)
    )
    assert old.code == "invalid_credentials"
    assert await auth.login(
        ident, business.slug, auth.Credentials(email=client.email, password=new_password), caller(), NOW
    )


async def test_r_i5_reset_link_expires_after_one_hour(ident: Identity) -> None:
    business = await make_business(ident)
    client = await signed_up_and_verified(ident, business)
    await auth.forgot_password(ident, business.slug, client.email, caller(), NOW)
    token = token_of(await last_message(ident.engine, client.email, "password_reset"))
    expired = await error_of(
        auth.reset_password(
            ident, business.slug, auth.PasswordReset(token=token, password="a brand new passphrase"), caller(),
            NOW + timedelta(hours=1),
        )
    )  # fmt: skip
    assert expired.code == "token_expired"


async def test_forgot_password_sends_at_most_five_emails_an_hour_per_account(ident: Identity) -> None:
    business = await make_business(ident)
    # Signed up more than an hour before: that email no longer counts in the cap (test_email_caps.py).
    client = await signed_up_and_verified(ident, business, now=NOW - timedelta(hours=1, minutes=1))
    for _ in range(7):
        await auth.forgot_password(ident, business.slug, client.email, caller(), NOW)
    resets = [m for m in await emails_to(ident.engine, client.email) if m["template"] == "password_reset"]
    assert len(resets) == 5


async def test_r_i8_profile_update_names_changed_fields_and_stores_phone_as_e164(ident: Identity) -> None:
    business = await make_business(ident)
    _client, me = await signed_in(ident, business)
    changes = ProfileChanges.model_validate(
        {"phone": "+34 600 12 34 56", "birthday": "1990-05-17", "first_name": "Ana María", "locale": "pt"}
    )
    account = await profile.update_profile(ident, me, changes, NOW)
    assert account.phone == "+34600123456"
    assert account.birthday == date(1990, 5, 17)
    events = await outbox_events(ident.engine, "identity.client.profile_updated.v1", account_id=me.account_id)
    assert events[-1]["changed"] == ["birthday", "first_name", "locale", "phone"]
    assert events[-1]["phone"] == "+34600123456"
    # Sending the same values again changes nothing and emits nothing.
    await profile.update_profile(ident, me, changes, NOW)
    assert len(await outbox_events(ident.engine, "identity.client.profile_updated.v1", account_id=me.account_id)) == 1
    cleared = await profile.update_profile(ident, me, ProfileChanges.model_validate({"phone": None}), NOW)
    assert cleared.phone is None


@pytest.mark.parametrize(
    "fields",
    [{"phone": "600 12 34 56"}, {"phone": "+1 555"}, {"birthday": "2999-01-01"}, {"locale": "fr"}, {"first_name": " "}],
)
def test_r_i7_invalid_profile_fields_are_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ProfileChanges.model_validate(fields)


async def test_profile_required_fields_cannot_be_cleared(ident: Identity) -> None:
    business = await make_business(ident)
    _client, me = await signed_in(ident, business)
    refused = await error_of(
        profile.update_profile(ident, me, ProfileChanges.model_validate({"first_name": None}), NOW)
    )
    assert (refused.status, refused.code) == (422, "validation_error")


async def test_r_i7_email_change_applies_only_once_the_new_address_is_verified(ident: Identity) -> None:
    business = await make_business(ident)
    client, me = await signed_in(ident, business)
    new_email = unique_email("new")
    wrong = await error_of(
        profile.request_email_change(ident, me, profile.EmailChange(new_email=new_email, password="wrong pass"), NOW)
    )
    assert wrong.code == "wrong_password"
    await profile.request_email_change(ident, me, profile.EmailChange(new_email=new_email, password=PASSWORD), NOW)
    notice = await last_message(ident.engine, client.email, "email_change_notice")
    assert notice["variables"]["new_email"] == new_email
    link = await last_message(ident.engine, new_email, "email_change_verify")
    assert (await profile.get_profile(ident, me)).email == client.email  # not yet

    assert await auth.confirm_email_change(ident, business.slug, token_of(link), caller(), NOW) == new_email
    assert (await profile.get_profile(ident, me)).email == new_email
    changed = await outbox_events(ident.engine, "identity.client.email_changed.v1", account_id=me.account_id)
    assert (changed[-1]["old_email"], changed[-1]["new_email"]) == (client.email, new_email)
    updated = await outbox_events(ident.engine, "identity.client.profile_updated.v1", account_id=me.account_id)
    assert updated[-1]["changed"] == ["email"]
    reused = await error_of(auth.confirm_email_change(ident, business.slug, token_of(link), caller(), NOW))
    assert reused.code == "token_used"


async def test_email_change_to_a_taken_address_reveals_nothing_to_the_requester(ident: Identity) -> None:
    business = await make_business(ident)
    other = await signed_up_and_verified(ident, business)
    _client, me = await signed_in(ident, business)
    # The request answers nothing, taken address or not; only the owner of the address hears of it.
    await profile.request_email_change(ident, me, profile.EmailChange(new_email=other.email, password=PASSWORD), NOW)
    assert await last_message(ident.engine, other.email, "account_exists")


async def test_r_i7_password_change_keeps_this_device_and_signs_out_the_others(ident: Identity) -> None:
    business = await make_business(ident)
    client, me = await signed_in(ident, business)
    other_device = await another_device(ident, business, client)
    await profile.change_password(
        ident, me, profile.PasswordChange(current_password=PASSWORD, new_password="my new long passphrase"), NOW
    )
    assert client.signed_in is not None
    assert await auth.resolve_session(ident, business.slug, client.signed_in.session.token, NOW)
    gone = await error_of(auth.resolve_session(ident, business.slug, other_device.session.token, NOW))
    assert gone.code == "not_signed_in"
    assert await last_message(ident.engine, client.email, "password_changed")


async def test_devices_listed_and_signed_out_one_by_one(ident: Identity) -> None:
    business = await make_business(ident)
    client, me = await signed_in(ident, business)
    other = await another_device(ident, business, client)
    sessions = await profile.list_sessions(ident, me, NOW)
    assert len(sessions) == 2
    assert [s.current for s in sessions].count(True) == 1
    other_id = next(s.session_id for s in sessions if not s.current)
    await profile.sign_out_session(ident, me, other_id, NOW)
    assert (
        await error_of(auth.resolve_session(ident, business.slug, other.session.token, NOW))
    ).code == "not_signed_in"
    assert len(await profile.list_sessions(ident, me, NOW)) == 1


async def test_r_t4_another_clients_session_cannot_be_signed_out(ident: Identity) -> None:
    business = await make_business(ident)
    _alice, alice = await signed_in(ident, business)
    bob_client, bob = await signed_in(ident, business)
    assert bob_client.signed_in is not None
    refused = await error_of(profile.sign_out_session(ident, alice, bob.session_id or alice.account_id, NOW))
    assert refused.status == 404
    assert await auth.resolve_session(ident, business.slug, bob_client.signed_in.session.token, NOW)


async def test_export_holds_the_account_sessions_and_links(ident: Identity) -> None:
    business = await make_business(ident)
    client, me = await signed_in(ident, business)
    exported = await profile.export_account(ident, me, NOW)
    assert exported["account"]["email"] == client.email
    assert exported["account"]["email_verified_at"] is not None
    assert len(exported["sessions"]) == 1
    assert [link["purpose"] for link in exported["emailed_links"]] == ["verify_email"]
    assert "token_hash" not in str(exported)
    assert "password_hash" not in str(exported)


async def test_r_t5_account_deletion_needs_the_password_and_tells_every_service(ident: Identity) -> None:
    business = await make_business(ident)
    _client, me = await signed_in(ident, business)
    wrong = await error_of(
        profile.delete_account(ident, me, profile.PasswordConfirmation(password="not it at all"), NOW)
    )
    assert (wrong.status, wrong.code) == (403, "wrong_password")
    await profile.delete_account(ident, me, profile.PasswordConfirmation(password=PASSWORD), NOW)
    async with ident.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).where(client_accounts.c.account_id == me.account_id)) == 0
        assert await conn.scalar(sa.select(sa.func.count()).where(client_sessions.c.account_id == me.account_id)) == 0
    deleted = await outbox_events(ident.engine, "identity.client.deleted.v1", account_id=me.account_id)
    assert len(deleted) == 1
    assert deleted[0]["org_id"] == str(business.org_id)
