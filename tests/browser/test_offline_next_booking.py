"""The installed widget shows the client's next booking offline (R-U3, ARCHITECTURE "Widget"),
and forgets it on sign-out: on desktop and phone, through the real stack and service worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import BrowserContext, Page, expect

from regulars.shared.testing.infra import Stack

from .conftest import pick_first_slot_days_ahead, with_catalog

pytestmark = [pytest.mark.browser, pytest.mark.clock]


def shown_time(start: str) -> str:
    """The start as en-US shows it in the business's zone (the browser runs in another)."""
    local = datetime.fromisoformat(start).astimezone(ZoneInfo("Europe/Madrid"))
    return f"{local.hour % 12 or 12}:{local.minute:02d}\u202f{'AM' if local.hour < 12 else 'PM'}"


async def book_haircut(page: Page, stack: Stack, slug: str) -> str:
    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    await page.get_by_role("button", name="Haircut").click()
    start = await pick_first_slot_days_ahead(page, 2)
    await page.get_by_label("Phone").fill("+34 600 777 888")
    await page.get_by_label("Any allergies?").fill("None")
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="You're booked.")).to_be_visible()
    return start


async def kept(page: Page, slug: str) -> Any:
    return await page.evaluate("(slug) => localStorage.getItem(`regulars.next-booking.${slug}`)", slug)


async def go_offline_and_open(context: BrowserContext, page: Page, url: str) -> None:
    await context.set_offline(True)
    await page.goto(url)
    await expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()


async def test_r_u3_next_booking_shown_offline_and_forgotten_on_sign_out(
    make_context: Any, viewport: str, stack: Stack, make_business: Any, sign_up: Any, a11y: Any, top_nav: Any
) -> None:
    slug = await make_business()
    await with_catalog(stack, slug)
    context = await make_context(viewport, service_workers="allow")
    await sign_up(context, slug)
    page = await context.new_page()
    start = await book_haircut(page, stack, slug)
    bookings = f"{stack.gateway_url}/w/{slug}/account/bookings"
    await page.goto(bookings)
    await expect(page.locator(".booking-card").filter(has_text="Haircut")).to_be_visible()
    await page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    # Once the worker controls the page, the shell and the public profile are kept.
    await page.reload()
    await expect(page.locator(".booking-card").filter(has_text="Haircut")).to_be_visible()
    assert await kept(page, slug) is not None

    await context.set_offline(True)
    await page.reload()
    await expect(page.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    card = page.locator(".next-booking")
    await expect(card.get_by_role("heading", level=2, name="Your next booking")).to_be_visible()
    await expect(card).to_contain_text("Haircut with Ana Stylist")
    await expect(card).to_contain_text(shown_time(start))
    await expect(card.locator("time")).to_have_attribute("datetime", start)
    await expect(page.get_by_role("status").filter(has_text="Offline: last updated")).to_be_visible()
    await a11y(page)
    # The start page too, and the booking flow at any of its steps: it needs a connection, and says so.
    await page.goto(f"{stack.gateway_url}/w/{slug}/")
    await expect(page.locator(".next-booking")).to_contain_text("Haircut with Ana Stylist")
    for step in ("book", "book/time?service=x", "book/details?service=x&start=y"):
        await page.goto(f"{stack.gateway_url}/w/{slug}/{step}")
        await expect(page.get_by_role("heading", level=1, name="Booking needs a connection")).to_be_visible()
        await expect(page.locator(".next-booking")).to_contain_text("Haircut with Ana Stylist")
    await a11y(page)

    # Signed out (online), the kept booking is gone: offline there is nothing to show.
    await context.set_offline(False)
    await page.goto(bookings)
    await expect(page.locator(".booking-card").filter(has_text="Haircut")).to_be_visible()
    nav = await top_nav(page)
    await nav.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert await kept(page, slug) is None
    await go_offline_and_open(context, page, bookings)
    await expect(page.locator(".next-booking")).to_have_count(0)
    await expect(page.get_by_text("Haircut")).to_have_count(0)
    await expect(page.get_by_text("Connect to the internet to sign in")).to_be_visible()
    await a11y(page)
    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    await expect(page.get_by_role("status").filter(has_text="Connect to the internet to choose a time")).to_be_visible()
    await expect(page.locator(".next-booking")).to_have_count(0)


async def test_r_u3_deleting_the_account_forgets_the_kept_booking(
    make_context: Any, stack: Stack, make_business: Any, sign_up: Any
) -> None:
    slug = await make_business()
    await with_catalog(stack, slug)
    context = await make_context("desktop", service_workers="allow")
    await sign_up(context, slug)
    page = await context.new_page()
    await book_haircut(page, stack, slug)
    await page.goto(f"{stack.gateway_url}/w/{slug}/account/bookings")
    await expect(page.locator(".booking-card").filter(has_text="Haircut")).to_be_visible()
    assert await kept(page, slug) is not None
    await page.goto(f"{stack.gateway_url}/w/{slug}/account/account")
    await page.get_by_label("Current password").last.fill("correct horse battery staple")
    await page.get_by_label("I understand this cannot be undone.").check()
    await page.get_by_role("button", name="Delete my account").click()
    await expect(page.get_by_role("heading", level=1, name="Account deleted")).to_be_visible()
    assert await kept(page, slug) is None
