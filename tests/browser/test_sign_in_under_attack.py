"""The sign-in page while the account's failed-sign-in ceiling holds (issue 8): a new browser
with the right password is offered the emailed sign-in link, and gets in with its code or its link."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import wait_for_mails

PASSWORD = "correct horse battery staple"  # the one the sign_up fixture uses
TOKEN = r"[A-Za-z0-9_\-]+"
CEILING = 100  # identity's limits.LOGIN_FAILURES_PER_ACCOUNT
_guessers = (f"10.78.{n // 250}.{n % 250 + 1}" for n in itertools.count())

pytestmark = pytest.mark.browser


async def guess_from_everywhere(stack: Stack, slug: str, email: str) -> None:
    url = f"{stack.gateway_url}/api/v1/b/{slug}/auth/login"
    async with aiohttp.ClientSession() as http:

        async def one() -> int:
            body = {"email": email, "password": "guess guess"}
            async with http.post(url, json=body, headers={"X-Forwarded-For": next(_guessers)}) as response:
                return response.status

        for _ in range(CEILING // 10):
            assert set(await asyncio.gather(*(one() for _ in range(10)))) == {401}


async def test_a_held_account_is_offered_the_emailed_sign_in_link_and_its_code_and_link_sign_in(
    make_context: Any, stack: Stack, make_business: Any, sign_up: Any, mailbox: Any, a11y: Any
) -> None:
    slug = await make_business()
    owner = await make_context("phone")
    email = await sign_up(owner, slug)
    await guess_from_everywhere(stack, slug, email)

    # A new phone: no device cookie, an address never seen. The right password is not checked.
    context = await make_context("phone")
    page = await context.new_page()
    await page.goto(f"{stack.gateway_url}/w/{slug}/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Too many failed sign-ins with this email address")
    await a11y(page)
    await alert.get_by_role("link", name="Email me a sign-in link").click()

    await expect(page.get_by_role("heading", level=1, name="Sign in with an email link")).to_be_visible()
    ask = page.get_by_role("form", name="Sign in with an email link")
    await expect(ask.get_by_role("textbox", name="Email", exact=True)).to_have_value(email)
    await ask.get_by_role("button", name="Send the link").click()
    await expect(page.get_by_role("status")).to_contain_text("a sign-in link and code are on their way")
    await a11y(page)
    code = await mailbox(email, r"without your password\.[\s\S]{0,400}?code: (\d{6})")
    by_code = page.get_by_role("form", name="Have the code?")
    await expect(by_code.get_by_role("textbox", name="Email", exact=True)).to_have_value(email)
    await by_code.get_by_label("Code from the email").fill(code.group(1))
    await by_code.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()

    # Another new browser follows the link of a second email (the first one's was spent with its code).
    other = await make_context("desktop")
    page = await other.new_page()
    await page.goto(f"{stack.gateway_url}/w/{slug}/sign-in-link")
    await page.get_by_role("textbox", name="Email", exact=True).first.fill(email)
    await page.get_by_role("button", name="Send the link").click()
    await expect(page.get_by_role("status")).to_contain_text("on their way")
    newest = (await wait_for_mails(stack, email, "sign-in link", count=2))[0]
    link = re.search(rf"https?://[^\s\"'<>]+/w/{slug}/sign-in-link\?token={TOKEN}", newest["text"])
    assert link is not None
    await page.goto(link.group(0))
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{slug}/account")
