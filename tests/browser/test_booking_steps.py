"""The booking flow's structure, on a phone and a desktop: each step has its own address, and
Back, Forward, a reload and a language switch keep the step and what was typed (R-A1, R-U3, R-U4);
every control is at least 44 px and stays inside its card on the phone.

One walk per viewport, set up through the API; the browser only for what is under test.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.async_api import Page, expect

from regulars.shared.testing.infra import Stack

from .conftest import unique_email, with_catalog

pytestmark = [pytest.mark.browser]

# Every button, field and button-like link of the booking card: its size and whether it leaves the card.
MISFITS = """() => {
  const card = document.querySelector("main .booking-flow");
  const box = card.getBoundingClientRect();
  const out = [];
  if (box.right > window.innerWidth + 0.5) out.push(`card ${box.right} > ${window.innerWidth}`);
  for (const el of card.querySelectorAll("button, input, select, textarea, a.button, label")) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const name = `${el.tagName.toLowerCase()} "${(el.textContent || el.name || "").trim().slice(0, 30)}"`;
    if (el.tagName !== "LABEL" && (r.height < 44 || r.width < 44)) out.push(`${name} ${r.width}x${r.height}`);
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${name} leaves the card`);
  }
  return out;
}"""


async def fits(page: Page) -> None:
    assert await page.evaluate(MISFITS) == []


async def test_r_a1_each_step_keeps_its_address_and_what_was_typed(
    page: Page, stack: Stack, make_business: Any, a11y: Any, top_nav: Any
) -> None:
    slug = await make_business()
    await with_catalog(stack, slug, stylists=("Ana Stylist", "Bea Barber"))
    email = unique_email("steps")
    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    service_step = page.get_by_role("heading", level=2, name="Choose a service")
    await expect(service_step).to_be_visible()
    await fits(page)
    await page.get_by_role("button", name="Haircut").click()

    # The time step: the day and the staff member are in the address, and a reload keeps them.
    await expect(page).to_have_url(re.compile(r"/book/time\?service=[^&]+&date=\d{4}-\d{2}-\d{2}$"))
    await page.get_by_role("button", name="Next day").click()
    await page.get_by_label("With").select_option(label="Bea Barber")
    await expect(page).to_have_url(re.compile(r"/book/time\?service=[^&]+&staff=[^&]+&date="))
    day = await page.get_by_label("Date").input_value()
    await page.reload()
    await expect(page.get_by_label("Date")).to_have_value(day)
    await expect(page.get_by_label("With").locator("option:checked")).to_have_text("Bea Barber")
    await expect(page.locator(".slot").first).to_be_visible()
    await fits(page)
    await a11y(page)
    await page.locator(f'.slot[data-start^="{day}T"]').first.click()

    await details_survive_reload_and_language(page, email, top_nav)
    await fits(page)
    await a11y(page)

    # Back and Forward move between the steps, each as it was left.
    await page.go_back()
    await expect(page.get_by_label("Date")).to_have_value(day)
    await expect(page.get_by_label("With").locator("option:checked")).to_have_text("Bea Barber")
    await page.go_back()
    await expect(service_step).to_be_visible()
    await page.go_forward()
    await page.go_forward()
    await expect(page.get_by_label("Any allergies?")).to_have_value("None")
    await expect(page.get_by_label("First name")).to_have_value("Gala")

    # Booked: the done step replaces the details step (Back cannot book twice) and survives a reload.
    await page.get_by_role("button", name="Book", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="You're booked.")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/book/done$"))
    await page.reload()
    await expect(page.get_by_role("status").filter(has_text="You're booked.")).to_be_visible()
    await fits(page)
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/book/time\?"))
    kept = await page.evaluate(f"() => JSON.parse(sessionStorage.getItem('regulars.booking.{slug}'))")
    assert "details" not in kept


async def details_survive_reload_and_language(page: Page, email: str, top_nav: Any) -> None:
    """The details step: what was typed survives a reload and a language switch, and is not in the address."""
    await expect(page).to_have_url(re.compile(r"/book/details\?.*start="))
    await page.get_by_label("First name").fill("Gala")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Phone").fill("+34 600 111 222")
    await page.get_by_label("Any allergies?").fill("None")
    assert "Gala" not in unquote(page.url)
    assert email not in unquote(page.url)
    await page.reload()
    await expect(page.get_by_label("Email")).to_have_value(email)
    nav = await top_nav(page)
    await nav.get_by_label("Language").select_option("es")
    await expect(page.get_by_role("heading", level=1, name="Reservar una cita")).to_be_visible()
    await expect(page.get_by_role("textbox", name="Nombre", exact=True)).to_have_value("Gala")
    await expect(page.get_by_label("Teléfono")).to_have_value("+34 600 111 222")
    await page.locator("#language-select").select_option("en")
    await expect(page.get_by_role("heading", level=1, name="Book an appointment")).to_be_visible()
