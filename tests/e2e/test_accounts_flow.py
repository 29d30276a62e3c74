"""The whole client journey through the gateway, with every email read from the dev mailbox over SMTP:
sign-up → verification email → verify → sign-out → sign-in → profile → pets → forgot / reset password
→ email change → sign-out."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import fresh_ip, make_business
from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.e2e

PASSWORD = "una contraseña bastante larga"


async def wait_for_mail(
    stack: Stack, to: str, subject_has: str = "", text_has: str = "", timeout: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(f"{stack.mailbox_url}/api/messages", params={"to": to}) as response:
                found: list[dict[str, Any]] = await response.json()
            matching = [m for m in found if subject_has.lower() in m["subject"].lower() and text_has in m["text"]]
            if matching:
                return matching[0]  # newest first
            await asyncio.sleep(0.2)
    raise AssertionError(f"no mail to {to} with {subject_has!r} in the subject")


def link_in(mail: dict[str, Any], stack: Stack, slug: str, page: str) -> str:
    found = re.search(rf"{re.escape(stack.gateway_url)}/w/{slug}/{page}\?token=(rgt_[A-Za-z0-9_-]+)", mail["text"])
    assert found, mail["text"]
    return found.group(1)


class Widget:
    """What the widget does: the public API with the cookie session and the CSRF header."""

    def __init__(self, stack: Stack, slug: str) -> None:
        self.base = f"{stack.gateway_url}/api/v1/b/{slug}"
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.ip = fresh_ip()

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"X-Forwarded-For": self.ip, "User-Agent": "Flow test (Android)"}
        for cookie in self.http.cookie_jar:
            if cookie.key == "regulars_csrf":
                headers["X-CSRF-Token"] = cookie.value
        async with self.http.request(method, self.base + path, json=body, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None)


@pytest.fixture(scope="module")
async def ident(stack: Stack, engines: dict[str, AsyncEngine]) -> Any:
    hashing = PasswordHashing()
    yield Identity(engine=engines["identity"], hashing=hashing, public_url=stack.gateway_url)
    hashing.close()


async def test_sign_up_verify_sign_in_profile_pets_recovery_and_sign_out(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    widget = Widget(stack, business.slug)
    email = f"lucia-{uuid.uuid4().hex[:8]}@example.com"
    try:
        # Sign up, in Spanish.
        status, body = await widget.call(
            "POST", "/auth/register",
            {"email": email, "password": PASSWORD, "first_name": "Lucía", "last_name": "Gómez", "locale": "es"},
        )  # fmt: skip
        assert (status, body) == (202, {"status": "verification_sent"})
        mail = await wait_for_mail(stack, email)
        assert "Lucía" in mail["text"]
        assert "Hola" in mail["text"]
        code = re.search(r"\b([0-9]{6})\b", mail["text"])
        assert code, mail["text"]

        # Verify from the link: signed in at once.
        status, body = await widget.call(
            "POST", "/auth/verify", {"token": link_in(mail, stack, business.slug, "verify")}
        )
        assert status == 200, body
        assert body["account"]["email_verified"] is True
        status, me = await widget.call("GET", "/me")
        assert (status, me["first_name"], me["locale"]) == (200, "Lucía", "es")

        # Sign out, then in again.
        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("GET", "/me"))[0] == 401
        status, body = await widget.call("POST", "/auth/login", {"email": email.upper(), "password": PASSWORD})
        assert status == 200, body

        # Profile and a pet.
        status, me = await widget.call(
            "PATCH", "/me",
            {"phone": "+34 611 22 33 44", "birthday": "1992-03-04",
             "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        )  # fmt: skip
        assert status == 200, me
        assert (me["phone"], me["birthday"], me["address"]["city"]) == ("+34611223344", "1992-03-04", "Madrid")
        status, pet = await widget.call(
            "POST", "/me/pets", {"name": "Luna", "species": "cat", "birthday": "2020-01-01"}
        )
        assert status == 201, pet
        status, pets = await widget.call("GET", "/me/pets")
        assert [p["name"] for p in pets["pets"]] == ["Luna"]
        status, sessions = await widget.call("GET", "/me/sessions")
        assert status == 200
        assert [s["current"] for s in sessions["sessions"]] == [True]
        assert sessions["sessions"][0]["user_agent"] == "Flow test (Android)"

        # Forgot password → reset link by email → new password; the old session ends.
        assert (await widget.call("POST", "/auth/password/forgot", {"email": email}))[0] == 202
        reset_mail = await wait_for_mail(stack, email, subject_has="contraseña")
        token = link_in(reset_mail, stack, business.slug, "reset-password")
        new_password = "otra contraseña muy larga"
        status, body = await widget.call("POST", "/auth/password/reset", {"token": token, "password": new_password})
        assert status == 204, body
        assert (await widget.call("GET", "/me"))[0] == 401
        status, body = await widget.call("POST", "/auth/login", {"email": email, "password": new_password})
        assert status == 200, body

        # Email change: a link to the new address, a notice to the old one.
        new_email = f"lucia-new-{uuid.uuid4().hex[:8]}@example.com"
        status, body = await widget.call("POST", "/me/email", {"new_email": new_email, "password": new_password})
        assert status == 202, body
        change_mail = await wait_for_mail(stack, new_email)
        assert await wait_for_mail(stack, email, text_has=new_email)  # the notice to the old address
        status, body = await widget.call(
            "POST", "/auth/confirm-email", {"token": link_in(change_mail, stack, business.slug, "confirm-email")}
        )
        assert (status, body) == (200, {"status": "email_changed", "email": new_email})
        status, me = await widget.call("GET", "/me")
        assert me["email"] == new_email

        assert (await widget.call("POST", "/auth/logout"))[0] == 204
        assert (await widget.call("GET", "/me"))[0] == 401
    finally:
        await widget.http.close()


async def test_signing_up_twice_emails_you_already_have_an_account(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    first, second = Widget(stack, business.slug), Widget(stack, business.slug)
    email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
    form = {"email": email, "password": PASSWORD, "first_name": "Ana", "last_name": "Ruiz", "locale": "en"}
    try:
        await first.call("POST", "/auth/register", form)
        verify = await wait_for_mail(stack, email)
        await first.call("POST", "/auth/verify", {"token": link_in(verify, stack, business.slug, "verify")})
        status, body = await second.call("POST", "/auth/register", form)
        assert (status, body) == (202, {"status": "verification_sent"})
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                async with http.get(f"{stack.mailbox_url}/api/messages", params={"to": email}) as response:
                    mails = await response.json()
                if len(mails) >= 2:
                    break
                await asyncio.sleep(0.2)
        assert len(mails) == 2
        assert f"{stack.gateway_url}/w/{business.slug}/sign-in" in mails[0]["text"]
        assert f"{stack.gateway_url}/w/{business.slug}/forgot-password" in mails[0]["text"]
    finally:
        await first.http.close()
        await second.http.close()
