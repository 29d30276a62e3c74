"""The unsubscribe page of marketing emails (R-N1): opening it changes nothing, the button does."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect

from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.browser


async def test_r_n1_unsubscribe_page_shows_what_changes_and_only_the_button_changes_it(
    context: BrowserContext,
    page: Page,
    stack: Stack,
    salon: str,
    sign_up: Any,
    business_key: Any,
    mailbox: Any,
    a11y: Any,
    make_context: Any,
) -> None:
    email = await sign_up(context, salon, marketing_opt_in=True)
    api = f"{stack.gateway_url}/api/v1/b/{salon}"
    account = await (await context.request.get(f"{api}/me")).json()
    key = business_key(salon)
    sent = await context.request.post(
        f"{stack.gateway_url}/api/v1/admin/businesses/{salon}/messages",
        headers={"Authorization": f"Bearer {key}"},
        data={"title": "Autumn offer", "text": "Half price on Tuesdays.", "account_id": account["account_id"]},
    )
    assert sent.status == 202, await sent.text()
    link = await mailbox(email, rf"https?://[^\s\"'<>]+/w/{salon}/unsubscribe\?token=[A-Za-z0-9_\-.]+")

    # Opened signed out (as from a mail client on another device): the page alone changes nothing.
    other = await (await make_context("phone")).new_page()
    await other.goto(link.group(0))
    await expect(other.get_by_role("heading", level=1, name="Unsubscribe")).to_be_visible()
    await expect(other.get_by_text("You will stop receiving news and offers by email from")).to_be_visible()
    await expect(other).to_have_url(f"{stack.gateway_url}/w/{salon}/unsubscribe")
    await a11y(other)
    preferences = await (await context.request.get(f"{api}/me/notification-preferences")).json()
    assert preferences["email"]["marketing"] is True

    await other.get_by_role("button", name="Unsubscribe").click()
    await expect(other.get_by_role("status")).to_have_text("Done. You will no longer receive these messages.")
    preferences = await (await context.request.get(f"{api}/me/notification-preferences")).json()
    assert preferences["email"]["marketing"] is False
    assert preferences["email"]["transactional"] is True

    # The signed-in client sees the switch off in the Notifications section.
    await page.goto(f"{stack.gateway_url}/w/{salon}/account/notifications")
    switch = page.get_by_role("group", name="Email").get_by_role("switch", name="News and offers")
    await expect(switch).not_to_be_checked()
