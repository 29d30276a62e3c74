"""The whole client journey through the gateway, with every email read from the dev mailbox over SMTP:
sign-up → verification email → verify → sign-out → sign-in → profile → pets → forgot / reset password
→ email change → sign-out."""

from __future__ import annotations

import re
import uuid

import pytest

from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import make_business
from regulars.shared.testing.gateway import Gateway, widget_at
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import link_in, wait_for_mail, wait_for_mails

pytestmark = pytest.mark.e2e

PASSWORD = "una contraseña bastante larga"


async def test_sign_up_verify_sign_in_profile_pets_recovery_and_sign_out(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    widget = widget_at(stack, business.slug)
    email = f"lucia-{uuid.uuid4().hex[:8]}@example.com"
    try:
        # Sign up, in Spanish.
        status, body = await widget.call(
            "POST", "/auth/register",
            json={"email": email, "password": PASSWORD, "first_name": "Lucía", "last_name": "Gómez", "locale": "es"},
        )  # fmt: skip
        assert (status, body) == (202, {"status": "verification_sent"})
        mail = await wait_for_mail(stack, email)
        assert "Lucía" in mail["text"]
        assert "Hola" in mail["text"]
        code = re.search(r"\b([0-9]{6})\b", mail["text"])
        assert code, mail["text"]

        # Verify from the link: signed in at once.
        status, body = await widget.call(
            "POST", "/auth/verify", json={"token": link_in(mail, stack, business.slug, "verify")}
        )
        assert status == 200, body
        assert body["account"]["email_verified"] is True
        status, me = await widget.call("GET", "/me")
        assert (status, me["first_name"], me["locale"]) == (200, "Lucía", "es")

        # Sign out, then in again.
        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("GET", "/me"))[0] == 401
        status, body = await widget.call("POST", "/auth/login", json={"email": email.upper(), "password": PASSWORD})
        assert status == 200, body

        await fills_in_profile_and_a_pet(widget)

        # Forgot password → reset link by email → new password; the old session ends.
        assert (await widget.call("POST", "/auth/password/forgot", json={"email": email}))[0] == 202
        reset_mail = await wait_for_mail(stack, email, subject_has="contraseña")
        token = link_in(reset_mail, stack, business.slug, "reset-password")
        new_password = "otra contraseña muy larga"
        status, body = await widget.call(
            "POST", "/auth/password/reset", json={"token": token, "password": new_password}
        )
        assert status == 204, body
        assert (await widget.call("GET", "/me"))[0] == 401
        status, body = await widget.call("POST", "/auth/login", json={"email": email, "password": new_password})
        assert status == 200, body

        # Email change: a link to the new address, a notice to the old one.
        new_email = f"lucia-new-{uuid.uuid4().hex[:8]}@example.com"
        status, body = await widget.call("POST", "/me/email", json={"new_email": new_email, "password": new_password})
        assert status == 202, body
        change_mail = await wait_for_mail(stack, new_email)
        assert await wait_for_mail(stack, email, text_has=new_email)  # the notice to the old address
        status, body = await widget.call(
            "POST", "/auth/confirm-email", json={"token": link_in(change_mail, stack, business.slug, "confirm-email")}
        )
        assert (status, body) == (200, {"status": "email_changed", "email": new_email})
        status, me = await widget.call("GET", "/me")
        assert me["email"] == new_email

        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("GET", "/me"))[0] == 401
    finally:
        await widget.close()


async def fills_in_profile_and_a_pet(widget: Gateway) -> None:
    """Profile and a pet, from the one signed-in device."""
    status, me = await widget.call(
        "PATCH", "/me",
        json={"phone": "+34 611 22 33 44", "birthday": "1992-03-04",
              "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
    )  # fmt: skip
    assert status == 200, me
    assert (me["phone"], me["birthday"], me["address"]["city"]) == ("+34611223344", "1992-03-04", "Madrid")
    status, pet = await widget.call(
        "POST", "/me/pets", json={"name": "Luna", "species": "cat", "birthday": "2020-01-01"}
    )
    assert status == 201, pet
    status, pets = await widget.call("GET", "/me/pets")
    assert [p["name"] for p in pets["pets"]] == ["Luna"]
    status, sessions = await widget.call("GET", "/me/sessions")
    assert status == 200
    assert [s["current"] for s in sessions["sessions"]] == [True]
    assert sessions["sessions"][0]["user_agent"] == "Flow test (Android)"


async def test_signing_up_twice_emails_you_already_have_an_account(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    first, second = widget_at(stack, business.slug), widget_at(stack, business.slug)
    email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
    form = {"email": email, "password": PASSWORD, "first_name": "Ana", "last_name": "Ruiz", "locale": "en"}
    try:
        await first.call("POST", "/auth/register", json=form)
        verify = await wait_for_mail(stack, email)
        await first.call("POST", "/auth/verify", json={"token": link_in(verify, stack, business.slug, "verify")})
        status, body = await second.call("POST", "/auth/register", json=form)
        assert (status, body) == (202, {"status": "verification_sent"})
        mails = await wait_for_mails(stack, email, count=2)
        assert len(mails) == 2
        assert f"{stack.gateway_url}/w/{business.slug}/sign-in" in mails[0]["text"]
        assert f"{stack.gateway_url}/w/{business.slug}/forgot-password" in mails[0]["text"]
    finally:
        await first.close()
        await second.close()
