"""Abuse at the public edge (issue 8): the per-account ceiling on failed sign-ins from rotating
addresses, the owner's ways in while it holds (the device cookie, the emailed sign-in link), the cap
on emails others can trigger, and Retry-After on every 429. Addresses rotate through
X-Forwarded-For, which the gateway believes from 127.0.0.1 (``trusted_proxies``)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from regulars.identity.domain import limits
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import (
    PASSWORD,
    emails_to,
    fresh_ip,
    last_message,
    make_business,
    token_of,
    unique_email,
)
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import mails, wait_for_mail
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e

CEILING = limits.LOGIN_FAILURES_PER_ACCOUNT.max_hits
EMAIL_CAP = limits.EMAILS_PER_ACCOUNT.max_hits


async def post(http: aiohttp.ClientSession, stack: Stack, slug: str, tail: str, body: dict[str, Any]) -> Any:
    """One POST from a fresh address and no cookies: status, body, Retry-After."""
    url = f"{stack.gateway_url}/api/v1/b/{slug}/auth/{tail}"
    async with http.post(url, json=body, headers={"X-Forwarded-For": fresh_ip()}) as response:
        return response.status, await response.json(), response.headers.get("Retry-After")


async def owner(ident: Identity, stack: Stack, slug: str) -> tuple[Gateway, str]:
    """A client who signed up and verified on one browser (which now holds the device cookie)."""
    email = unique_email()
    browser = Gateway.device(stack, base=f"/api/v1/b/{slug}", ip=fresh_ip())
    sign_up = {"email": email, "password": PASSWORD, "first_name": "Ana", "last_name": "Ruiz"}
    assert (await browser.call("POST", "/auth/register", json=sign_up))[0] == 202
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    status, body = await browser.call("POST", "/auth/verify", json={"token": token})
    assert status == 200, body
    return browser, email


async def test_100_failed_sign_ins_from_rotating_addresses_hold_strangers_but_not_the_owner(
    stack: Stack, ident: Identity
) -> None:
    business = await make_business(ident)
    browser, email = await owner(ident, stack, business.slug)
    assert browser.response is not None
    device_cookie = next(c for c in browser.response.headers.getall("Set-Cookie") if c.startswith("regulars_device="))
    assert "HttpOnly" in device_cookie
    assert "SameSite=Lax" in device_cookie
    assert "Max-Age=34560000" in device_cookie  # 400 days
    assert "Secure" not in device_cookie  # the public URL is http here
    nobody = unique_email()
    wrong = {"email": email, "password": "guess guess"}
    async with aiohttp.ClientSession() as http:
        for _ in range(CEILING // 10):
            answers = await asyncio.gather(*(post(http, stack, business.slug, "login", wrong) for _ in range(10)))
            assert {(status, body["error"]["code"]) for status, body, _ in answers} == {(401, "invalid_credentials")}
            strangers = await asyncio.gather(
                *(post(http, stack, business.slug, "login", {**wrong, "email": nobody}) for _ in range(10))
            )
            assert {(status, body["error"]["code"]) for status, body, _ in strangers} == {(401, "invalid_credentials")}
        # A new address is held, even with the right password, and learns nothing an unknown email would not.
        for body in (wrong, {"email": email, "password": PASSWORD}, {"email": nobody, "password": PASSWORD}):
            status, answer, retry_after = await post(http, stack, business.slug, "login", body)
            assert (status, answer["error"]["code"]) == (429, "sign_in_by_email"), body
            assert retry_after is not None
            assert 0 < int(retry_after) <= 7200
        held_known = await post(http, stack, business.slug, "login", wrong)
        held_unknown = await post(http, stack, business.slug, "login", {**wrong, "email": nobody})
        assert held_known[:2] == held_unknown[:2]

        # The owner's browser (its device cookie), from an address it never used, signs in.
        status, body = await browser.call(
            "POST", "/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-Forwarded-For": fresh_ip()}
        )
        assert status == 200, body

        # On a new phone, the emailed sign-in link: the same answer for an email without an account.
        asked = await post(http, stack, business.slug, "sign-in-link", {"email": email})
        asked_nobody = await post(http, stack, business.slug, "sign-in-link", {"email": nobody})
        assert asked[:2] == asked_nobody[:2] == (202, {"status": "sign_in_link_sent"})
        mail = await wait_for_mail(stack, email, "sign-in link")
        link = next(word for word in mail["text"].split() if "/sign-in-link?token=" in word)
        status, signed_in, _ = await post(
            http, stack, business.slug, "sign-in-link/redeem", {"token": link.split("token=")[1]}
        )
        assert status == 200, signed_in
        async with http.get(
            f"{stack.gateway_url}/api/v1/b/{business.slug}/me",
            headers={"Authorization": f"Bearer {signed_in['session']['token']}"},
        ) as response:
            assert response.status == 200
            assert (await response.json())["email"] == email
        assert await mails(http, stack, nobody) == []
    await browser.close()


async def test_every_429_carries_retry_after(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    guesser = Gateway.device(stack, base=f"/api/v1/b/{business.slug}", ip=fresh_ip())
    try:
        body = {"email": unique_email(), "password": "guess guess"}
        codes = [(await guesser.call("POST", "/auth/login", json=body))[0] for _ in range(11)]
        assert codes == [401] * 10 + [429]
        assert guesser.response is not None
        # The 15-minute window, plus at most the minute the tries are counted in.
        assert 0 < int(guesser.response.headers["Retry-After"]) <= 15 * 60 + 60
    finally:
        await guesser.close()


async def test_100_sign_ups_with_a_verified_address_send_at_most_the_cap_of_emails(
    stack: Stack, ident: Identity
) -> None:
    business = await make_business(ident)
    browser, email = await owner(ident, stack, business.slug)
    await browser.close()
    form = {"email": email, "password": "another passphrase", "first_name": "Eve", "last_name": "X"}
    async with aiohttp.ClientSession() as http:
        answers = []
        for _ in range(10):
            answers += await asyncio.gather(*(post(http, stack, business.slug, "register", form) for _ in range(10)))
        assert {(status, str(body)) for status, body, _ in answers} == {(202, str({"status": "verification_sent"}))}
        # The same cap covers the other emails anyone can ask for, with the same answers.
        for tail in ("password/forgot", "sign-in-link", "resend-verification"):
            status, body, _ = await post(http, stack, business.slug, tail, {"email": email})
            assert status == 202, body

        # Identity decided before it answered: its facts in the outbox are every email there will be.
        assert len(await emails_to(ident.engine, email)) == EMAIL_CAP

        async def delivered() -> list[Any] | None:
            found = await mails(http, stack, email)
            return found if len(found) >= EMAIL_CAP else None

        found = await eventually(delivered, timeout=60)
    # The verification at sign-up and four "you already have an account": nothing more in the hour.
    assert len(found) == EMAIL_CAP, [m["subject"] for m in found]
