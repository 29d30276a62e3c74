"""The booking flow and the Bookings section in the widget, on desktop and phone, through the real stack.

R-A1 (service, then free times, then details), R-I1 (the confirmation offers an account pre-filled
from the booking), R-A2 (upcoming and past with their actions), R-A3 / R-S3 (reschedule through the
calendar, then a confirmation of what changes and whether cancelling online stays possible; the
policy is shown before cancelling), guests' manage link (GET changes nothing).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from regulars.shared.testing.infra import Stack

from .conftest import PASSWORD, TOKEN, pick_first_slot_days_ahead, with_catalog

pytestmark = [pytest.mark.browser, pytest.mark.clock]


async def test_r_a1_guest_books_creates_account_and_manages_in_bookings(
    page: Page, stack: Stack, make_business: Any, mailbox: Any, a11y: Any
) -> None:
    slug = await make_business()
    await with_catalog(stack, slug)
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"

    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    await expect(page.get_by_role("heading", level=2, name="Choose a service")).to_be_visible()
    await a11y(page)
    await books_a_haircut_as_a_guest(page, email, a11y)

    # R-I1: the confirmation offers an account, pre-filled from the booking.
    offer = page.locator(".account-offer")
    await expect(offer.get_by_label("Email")).to_have_value(email)
    await expect(offer.get_by_label("First name")).to_have_value("Gala")
    await a11y(page)
    await offer.get_by_label("Password").fill(PASSWORD)
    await offer.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    link = await mailbox(email, rf"https?://[^\s\"'<>]+/w/{slug}/verify\?token={TOKEN}")
    await page.goto(link.group(0))
    await expect(page.get_by_role("heading", level=1, name="Account settings")).to_be_visible()

    # The guest booking was claimed once the email was verified (R-A6): it is in Bookings.
    await page.goto(f"{stack.gateway_url}/w/{slug}/account/bookings")
    card = page.locator(".booking-card").filter(has_text="Haircut")
    await expect(card).to_be_visible(timeout=20_000)
    await a11y(page)

    # R-A5: a retail product reserved for the appointment.
    await card.get_by_role("button", name="Reserve a product").click()
    await page.get_by_role("combobox", name="Product").select_option(label="Argan shampoo · €18.00")
    await a11y(page)
    await page.get_by_role("button", name="Reserve", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="The product is reserved")).to_be_visible()
    await expect(card).to_contain_text("Reserved: 1 \u00d7 Argan shampoo")

    # Signed in, the booking form is pre-filled, intake answers included (R-I10), and no account is offered.
    await page.get_by_role("link", name="Book an appointment").click()
    await page.get_by_role("button", name="Haircut").click()
    await pick_first_slot_days_ahead(page, 5)
    await expect(page.get_by_label("Email")).to_have_value(email)
    await expect(page.get_by_label("Any allergies?")).to_have_value("None")
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="You're booked.")).to_be_visible()
    await expect(page.locator(".account-offer")).to_have_count(0)
    await page.get_by_role("link", name="See my bookings").click()
    await expect(page.locator(".booking-card")).to_have_count(2)
    await reschedules_then_cancels(page, stack, slug, a11y)


async def books_a_haircut_as_a_guest(page: Page, email: str, a11y: Any) -> None:
    """From the service list: a time two days ahead, the guest's details, booked."""
    await page.get_by_role("button", name="Haircut").click()
    await expect(page.get_by_role("heading", level=2, name="Choose a time for Haircut")).to_be_visible()
    # The month view opens on the first day with free times (tomorrow late in the evening).
    await expect(page.locator(".slot").first).to_be_visible()
    await a11y(page)
    await pick_first_slot_days_ahead(page, 2)

    await page.get_by_label("First name").fill("Gala")
    await page.get_by_label("Last name").fill("Guest")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Phone").fill("+34 600 111 222")
    await page.get_by_label("Any allergies?").fill("None")
    await a11y(page)
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="You're booked.")).to_be_visible()
    await expect(page.get_by_role("link", name="Add to calendar")).to_be_visible()


async def reschedules_then_cancels(page: Page, stack: Stack, slug: str, a11y: Any) -> None:
    """Reschedule goes back through the calendar (R-A3); the policy is shown before cancelling."""
    card = page.locator(".booking-card").filter(has_text="Argan shampoo")
    await card.get_by_role("link", name="Reschedule").click()
    await expect(page.get_by_role("heading", level=1, name="Pick a new time")).to_be_visible()
    # R-A3, R-S3: a time within a day is confirmed first, saying that cancelling online would be over.
    await pick_first_slot_days_ahead(page, 0)
    change = page.get_by_role("heading", level=2, name="Check the change")
    await expect(change).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/book/confirm\?reschedule=[^&]+&service=.*&start="))
    summary = page.locator(".move-summary")
    await expect(summary).to_contain_text("Now")
    await expect(summary).to_contain_text("with Ana Stylist")
    policy = page.get_by_role("group", name="What you can do after the change")
    await expect(policy.locator("strong")).to_contain_text("After the change you can no longer cancel online")
    await a11y(page)
    await page.get_by_role("button", name="Choose another time").click()
    await pick_first_slot_days_ahead(page, 2)
    await expect(policy).to_contain_text("After the change you can still cancel online until")
    await expect(policy.locator("strong")).to_have_count(0)
    # Back returns to the calendar and nothing has moved; Forward to the confirmation, which moves it.
    await page.go_back()
    await expect(page.locator(".slot").first).to_be_visible()
    await page.go_forward()
    await page.get_by_role("button", name="Move my booking").click()
    await expect(page.get_by_role("status").filter(has_text="Your booking is moved to")).to_be_visible()

    # The policy is shown before cancelling; then the booking moves to Past.
    await page.goto(f"{stack.gateway_url}/w/{slug}/account/bookings")
    card = page.locator(".booking-card").filter(has_text="Argan shampoo")
    await card.get_by_role("button", name="Cancel").click()
    await expect(page.get_by_text("You can cancel online until")).to_be_visible()
    await a11y(page)
    await page.get_by_role("button", name="Yes, cancel it").click()
    await expect(page.get_by_role("status").filter(has_text="The booking is cancelled.")).to_be_visible()
    await expect(page.locator(".booking-card")).to_have_count(1)
    await page.get_by_role("tab", name="Past").click()
    await expect(page.locator(".booking-card").filter(has_text="Cancelled")).to_be_visible()

    # The calendar feed: a secret webcal:// address.
    await page.get_by_role("button", name="Show my calendar address").click()
    await expect(page.locator(".feed-url")).to_contain_text("webcal://")


async def test_guest_manage_link_shows_and_cancels_only_on_click(
    page: Page, stack: Stack, make_business: Any, a11y: Any
) -> None:
    slug = await make_business(booking_policy={"cancel_window_hours": 2})
    await with_catalog(stack, slug)
    # R-I2: the widget's start page leads with Book.
    await page.goto(f"{stack.gateway_url}/w/{slug}/")
    await page.locator("main").get_by_role("link", name="Book an appointment").click()
    await expect(page.get_by_role("heading", level=2, name="Choose a service")).to_be_visible()
    await page.get_by_role("button", name="Haircut").click()
    await pick_first_slot_days_ahead(page, 2)
    await page.get_by_label("First name").fill("Gil")
    await page.get_by_label("Email").fill(f"gil-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Phone").fill("+34 600 333 444")
    await page.get_by_role("button", name="Book", exact=True).click()
    await page.get_by_role("link", name="Manage this booking").click()
    await expect(page.get_by_role("heading", level=1, name="Your booking")).to_be_visible()
    await page.reload()  # opening the link again changes nothing
    card = page.locator(".booking-card")
    await expect(card).to_contain_text("Booked")
    await a11y(page)
    await card.get_by_role("button", name="Cancel").click()
    await page.get_by_role("button", name="Yes, cancel it").click()
    await expect(page.locator(".booking-card")).to_contain_text("Cancelled")


async def test_r_u4_spanish_booking_and_a_slot_taken_meanwhile(
    make_context: Any, viewport: str, stack: Stack, make_business: Any, a11y: Any
) -> None:
    slug = await make_business(locale="es")
    await with_catalog(stack, slug)
    context = await make_context(viewport, locale="es-ES")
    page = await context.new_page()
    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    await expect(page.get_by_role("heading", level=1, name="Reservar una cita")).to_be_visible()
    await page.get_by_role("button", name="Haircut").click()
    start = await pick_first_slot_days_ahead(page, 2)
    await page.get_by_label("Nombre").fill("Lola")
    await page.get_by_label("Correo electrónico").fill(f"lola-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Teléfono").fill("+34 600 555 666")
    await a11y(page)

    # Someone else takes the time while Lola types.
    async with aiohttp.ClientSession() as http:
        services = await (await http.get(f"{stack.gateway_url}/api/v1/b/{slug}/services")).json()
        taken = await http.post(
            f"{stack.gateway_url}/api/v1/b/{slug}/bookings",
            headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": services["services"][0]["id"], "start": start,
                  "client": {"first_name": "Otro", "email": "otro@example.com", "phone": "+34 600 777 888"}},
        )  # fmt: skip
        assert taken.status == 201
    await page.get_by_role("button", name="Reservar", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("Esa hora acaba de ocuparse. Elige otra.")
    await page.get_by_role("button", name="Elegir otra hora").click()
    await pick_first_slot_days_ahead(page, 0)
    await page.get_by_label("Nombre").fill("Lola")
    await page.get_by_label("Correo electrónico").fill(f"lola-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Teléfono").fill("+34 600 555 666")
    await page.get_by_role("button", name="Reservar", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Tu cita está reservada.")).to_be_visible()
