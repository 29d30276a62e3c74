"""Client accounts in the widget, end to end through the real stack and the dev mailbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect

from regulars.shared.testing.infra import Stack

from .conftest import PASSWORD, TOKEN, unique_email

R_U2_ORDER = [
    "Bookings",
    "Memberships",
    "Packages",
    "Gift cards",
    "Account settings",
    "Payment",
    "Referral program",
    "Rewards",
    "Notifications",
]

pytestmark = pytest.mark.browser


async def fill_sign_up(page: Page, stack: Stack, slug: str, first_name: str, last_name: str, email: str) -> None:
    """The widget's sign-up form at ``slug`` filled in with ``PASSWORD``, not sent yet."""
    await page.goto(f"{stack.gateway_url}/w/{slug}/sign-up")
    await page.get_by_label("First name").fill(first_name)
    await page.get_by_label("Last name").fill(last_name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)


async def test_r_i4_sign_up_verify_edit_profile_sign_out_and_in(
    page: Page, stack: Stack, salon: str, mailbox: Any, a11y: Any, top_nav: Any
) -> None:
    email = unique_email("flow")
    await fill_sign_up(page, stack, salon, "Grace", "Hopper", email)
    await a11y(page)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    await expect(page.get_by_text(f"We sent a link to {email}")).to_be_visible()
    await a11y(page)

    link = await mailbox(email, rf"https?://[^\s\"'<>]+/w/{salon}/verify\?token={TOKEN}")
    await page.goto(link.group(0))
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="Your email address is confirmed")).to_be_visible()
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{salon}/account")
    await expect(page.locator(".current-email")).to_have_text(email)
    # Not a pet business: no pets card.
    await expect(page.get_by_role("heading", name="Pets")).to_have_count(0)
    await a11y(page)

    await page.get_by_label("Phone").fill("+34 612 345 678")
    await page.get_by_label("Birthday").fill("1990-05-17")
    await page.get_by_label("City").fill("Madrid")
    await page.get_by_label("Country").select_option("ES")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status").filter(has_text="Your profile is saved")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Phone")).to_have_value("+34612345678")
    await expect(page.get_by_label("Birthday")).to_have_value("1990-05-17")
    await expect(page.get_by_label("City")).to_have_value("Madrid")
    await expect(page.get_by_label("Country")).to_have_value("ES")

    nav = await top_nav(page)
    await nav.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    await page.goto(f"{stack.gateway_url}/w/{salon}/account")
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()

    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    await expect(page.get_by_label("First name")).to_have_value("Grace")
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{salon}/account")


async def test_r_i5_wrong_password_or_empty_field_offers_forgot_password(
    page: Page, stack: Stack, salon: str, a11y: Any
) -> None:
    await page.goto(f"{stack.gateway_url}/w/{salon}/sign-in")
    await page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    await expect(alert.get_by_role("link", name="Forgot your password?")).to_be_visible()
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Email")).to_be_focused()

    await page.get_by_label("Email").fill(unique_email("nobody"))
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(alert).to_contain_text("That email and password don't match.")
    await expect(alert.get_by_role("link", name="Forgot your password?")).to_be_visible()
    await a11y(page)
    await alert.get_by_role("link", name="Forgot your password?").click()
    await expect(page.get_by_role("heading", level=1, name="Reset your password")).to_be_visible()


async def test_r_i5_forgot_and_reset_password_from_the_emailed_link(
    context: BrowserContext, page: Page, stack: Stack, salon: str, sign_up: Any, mailbox: Any, a11y: Any
) -> None:
    email = await sign_up(context, salon)
    await context.clear_cookies()
    await page.goto(f"{stack.gateway_url}/w/{salon}/forgot-password")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send the link").click()
    await expect(page.get_by_role("status")).to_contain_text("a link to reset the password is on its way")
    await a11y(page)
    link = await mailbox(email, rf"https?://[^\s\"'<>]+/w/{salon}/reset-password\?token={TOKEN}")
    await page.goto(link.group(0))
    # The token leaves the address bar at once.
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{salon}/reset-password")
    new_password = "a brand new passphrase"
    await page.get_by_role("textbox", name="New password", exact=True).fill("short")
    await page.get_by_role("button", name="Save the new password").click()
    await expect(page.get_by_role("textbox", name="New password", exact=True)).to_have_attribute("aria-invalid", "true")
    await a11y(page)
    await page.get_by_role("textbox", name="New password", exact=True).fill(new_password)
    await page.get_by_role("button", name="Save the new password").click()
    await expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    await page.get_by_role("main").get_by_role("link", name="Sign in").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(new_password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()


async def test_r_u2_sidebar_opens_on_account_settings_with_sections_in_order(
    context: BrowserContext, page: Page, viewport: str, stack: Stack, salon: str, sign_up: Any, a11y: Any
) -> None:
    await sign_up(context, salon)
    await page.goto(f"{stack.gateway_url}/w/{salon}/")
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    sidebar = page.get_by_role("navigation", name="Sections")
    if viewport == "phone":
        await expect(sidebar).to_be_hidden()
        await page.get_by_role("button", name="Sections").click()
    await expect(sidebar).to_be_visible()
    links = sidebar.get_by_role("link")
    await expect(links.filter(has_text="Account settings")).to_have_attribute("aria-current", "page")
    names = [name.strip() for name in await links.all_inner_texts()]
    assert {"Account settings", "Notifications"} <= set(names)
    assert names == [name for name in R_U2_ORDER if name in names], "in the order of R-U2"
    if viewport == "desktop":
        box = await sidebar.bounding_box()
        heading = await page.get_by_role("heading", level=1).bounding_box()
        assert box is not None
        assert heading is not None
        assert box["x"] < heading["x"], "the sidebar is on the left"
    await a11y(page)


async def test_r_s2_sections_the_business_turned_off_are_absent(
    context: BrowserContext, page: Page, viewport: str, stack: Stack, make_business: Any, sign_up: Any
) -> None:
    off = {name: False for name in ("memberships", "packages", "gift_cards", "referrals", "rewards", "shopping")}
    slug = await make_business(sections=off)
    await sign_up(context, slug)
    await page.goto(f"{stack.gateway_url}/w/{slug}/account")
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    if viewport == "phone":
        await page.get_by_role("button", name="Sections").click()
    sidebar = page.get_by_role("navigation", name="Sections")
    await expect(sidebar.get_by_role("link", name="Notifications")).to_be_visible()
    names = {name.strip() for name in await sidebar.get_by_role("link").all_inner_texts()}
    assert "Notifications" in names
    assert not names & {"Memberships", "Packages", "Gift cards", "Referral program", "Rewards"}
    await page.goto(f"{stack.gateway_url}/w/{slug}/account/gift_cards")
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{slug}/account")


async def test_r_n1_notification_switch_is_saved(
    context: BrowserContext, page: Page, viewport: str, stack: Stack, salon: str, sign_up: Any, a11y: Any
) -> None:
    await sign_up(context, salon)
    await page.goto(f"{stack.gateway_url}/w/{salon}/account")
    if viewport == "phone":
        await page.get_by_role("button", name="Sections").click()
    await page.get_by_role("navigation", name="Sections").get_by_role("link", name="Notifications").click()
    await expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    await expect(page).to_have_url(f"{stack.gateway_url}/w/{salon}/account/notifications")
    email_marketing = page.get_by_role("group", name="Email").get_by_role("switch", name="News and offers")
    sms_marketing = page.get_by_role("group", name="Text messages (SMS)").get_by_role("switch", name="News and offers")
    await expect(email_marketing).not_to_be_checked()  # no consent given at sign-up
    await expect(page.get_by_role("group", name="Email").get_by_role("switch", name="Booking messages")).to_be_checked()
    await a11y(page)
    await email_marketing.click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await expect(email_marketing).to_be_checked()
    await page.reload()
    await expect(email_marketing).to_be_checked()
    await expect(sms_marketing).not_to_be_checked()
    answer = await context.request.get(f"{stack.gateway_url}/api/v1/b/{salon}/me/notification-preferences")
    matrix = await answer.json()
    assert matrix["email"] == {"transactional": True, "marketing": True}
    assert matrix["sms"]["marketing"] is False
    # Keyboard: Space toggles the focused switch back off.
    await email_marketing.focus()
    await page.keyboard.press("Space")
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await page.reload()
    await expect(email_marketing).not_to_be_checked()


async def test_r_i9_pets_added_edited_and_removed_on_a_pet_business(
    context: BrowserContext, page: Page, stack: Stack, pet_business: str, sign_up: Any, a11y: Any
) -> None:
    await sign_up(context, pet_business)
    await page.goto(f"{stack.gateway_url}/w/{pet_business}/account")
    pets = page.get_by_role("region", name="Pets")
    await expect(pets.get_by_text("No pets yet.")).to_be_visible()
    await pets.get_by_role("button", name="Add a pet").click()
    await pets.get_by_label("Name").fill("Biscuit")
    await pets.get_by_label("Species").select_option("dog")
    await pets.get_by_label("Breed").fill("Beagle")
    await pets.get_by_label("Weight (kg)").fill("12.5")
    await pets.get_by_label("Notes for the team").fill("Scared of hair dryers")
    await a11y(page)
    await pets.get_by_role("button", name="Save pet").click()
    await expect(pets.get_by_role("status")).to_have_text("Biscuit is added.")
    await expect(pets.get_by_role("listitem")).to_have_count(1)
    await expect(pets.get_by_role("listitem")).to_contain_text("Dog · Beagle · 12.5 kg")

    await pets.get_by_role("button", name="Edit Biscuit").click()
    await pets.get_by_label("Name").fill("Biscuit the Brave")
    await pets.get_by_role("button", name="Save pet").click()
    await expect(pets.get_by_role("status")).to_have_text("Biscuit the Brave is saved.")
    await page.reload()
    await expect(pets.get_by_role("listitem")).to_contain_text("Biscuit the Brave")
    listed = await (await context.request.get(f"{stack.gateway_url}/api/v1/b/{pet_business}/me/pets")).json()
    assert [(p["name"], p["breed"], p["notes"]) for p in listed["pets"]] == [
        ("Biscuit the Brave", "Beagle", "Scared of hair dryers")
    ]

    await pets.get_by_role("button", name="Remove Biscuit the Brave").click()
    await pets.get_by_role("button", name="Yes, remove Biscuit the Brave").click()
    await expect(pets.get_by_text("No pets yet.")).to_be_visible()


async def test_r_i4_devices_listed_and_another_signed_out(
    context: BrowserContext, page: Page, stack: Stack, salon: str, sign_up: Any, make_context: Any
) -> None:
    email = await sign_up(context, salon)
    other = await make_context("phone")
    answer = await other.request.post(
        f"{stack.gateway_url}/api/v1/b/{salon}/auth/login", data={"email": email, "password": PASSWORD}
    )
    assert answer.status == 200
    await page.goto(f"{stack.gateway_url}/w/{salon}/account")
    devices = page.get_by_role("region", name="Signed-in devices")
    await expect(devices.get_by_role("listitem")).to_have_count(2)
    await expect(devices.get_by_role("listitem").filter(has_text="This device")).to_have_count(1)
    await devices.get_by_role("listitem").filter(has_not_text="This device").get_by_role("button").click()
    await expect(devices.get_by_role("status")).to_have_text("That device is signed out.")
    await expect(devices.get_by_role("listitem")).to_have_count(1)
    answer = await other.request.get(f"{stack.gateway_url}/api/v1/b/{salon}/me")
    assert answer.status == 401


async def test_r_i7_export_and_delete_account(
    context: BrowserContext, page: Page, stack: Stack, salon: str, sign_up: Any
) -> None:
    email = await sign_up(context, salon)
    await page.goto(f"{stack.gateway_url}/w/{salon}/account")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download my data").click()
    download = await download_info.value
    exported = json.loads(await asyncio.to_thread(Path(await download.path()).read_text))
    assert exported["account"]["email"] == email

    danger = page.get_by_role("region", name="Delete account")
    await danger.get_by_label("Current password").fill(PASSWORD)
    await danger.get_by_role("button", name="Delete my account").click()
    await expect(danger.get_by_role("alert")).to_have_text("Tick the box to confirm.")
    await danger.get_by_label("I understand this cannot be undone.").check()
    await danger.get_by_role("button", name="Delete my account").click()
    await expect(page.get_by_role("heading", level=1, name="Account deleted")).to_be_visible()
    answer = await context.request.post(
        f"{stack.gateway_url}/api/v1/b/{salon}/auth/login", data={"email": email, "password": PASSWORD}
    )
    assert answer.status == 401


async def test_r_i7_email_change_applies_once_the_new_address_is_confirmed(
    context: BrowserContext, page: Page, stack: Stack, salon: str, sign_up: Any, mailbox: Any
) -> None:
    old = await sign_up(context, salon)
    new = unique_email("moved")
    await page.goto(f"{stack.gateway_url}/w/{salon}/account")
    card = page.get_by_role("region", name="Email address")
    await card.get_by_label("New email address").fill(new)
    await card.get_by_label("Current password").fill("not my password")
    await card.get_by_role("button", name="Change email").click()
    await expect(card.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    await card.get_by_label("Current password").fill(PASSWORD)
    await card.get_by_role("button", name="Change email").click()
    await expect(card.get_by_role("status")).to_contain_text(f"We sent a link to {new}")
    await expect(card.locator(".current-email")).to_have_text(old)

    link = await mailbox(new, rf"https?://[^\s\"'<>]+/w/{salon}/confirm-email\?token={TOKEN}")
    await page.goto(link.group(0))
    await expect(page.get_by_role("status")).to_have_text("Your new email address is confirmed.")
    await page.get_by_role("main").get_by_role("link", name="My account").click()
    await expect(page.get_by_role("region", name="Email address").locator(".current-email")).to_have_text(new)


async def test_r_i3_verify_with_the_emailed_code_and_the_link_then_works_no_more(
    page: Page, stack: Stack, salon: str, mailbox: Any, a11y: Any
) -> None:
    email = unique_email("code")
    await fill_sign_up(page, stack, salon, "Katherine", "Johnson", email)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    code = await mailbox(email, r"code\D{0,40}?(\d{3}\s?\d{3})")
    by_code = page.get_by_role("form", name="Or type the code from the email")
    await expect(by_code.get_by_label("Email")).to_have_value(email)
    await by_code.get_by_label("6-digit code").fill("000000")
    await by_code.get_by_role("button", name="Confirm").click()
    await expect(by_code.get_by_role("alert")).to_be_visible()
    await by_code.get_by_label("6-digit code").fill(code.group(1))
    await by_code.get_by_role("button", name="Confirm").click()
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()

    link = await mailbox(email, rf"https?://[^\s\"'<>]+/w/{salon}/verify\?token={TOKEN}")
    await page.goto(link.group(0))
    await expect(page.get_by_role("alert")).to_contain_text("This link")
    await expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
    await a11y(page)


async def test_r_t2_one_sign_in_works_on_every_business_of_a_global_organization(
    context: BrowserContext, page: Page, stack: Stack, make_business: Any, sign_up: Any
) -> None:
    org = f"chain-{uuid.uuid4().hex[:8]}"
    first = await make_business(org=org, client_database="global")
    second = await make_business(org=org, client_database="global")
    await page.goto(f"{stack.gateway_url}/w/{first}/sign-up")
    await expect(page.get_by_text("Your account also works at every other location of")).to_be_visible()
    email = await sign_up(context, first)
    await page.goto(f"{stack.gateway_url}/w/{second}/")
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()
    await expect(page.locator(".current-email")).to_have_text(email)
    # A business of another organization does not see the session.
    elsewhere = await make_business()
    await page.goto(f"{stack.gateway_url}/w/{elsewhere}/account")
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
