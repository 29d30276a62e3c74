"""The booking flow's structure, on a phone and a desktop: each step has its own address, and
Back, Forward, a reload and a language switch keep the step and what was typed (R-A1, R-U3, R-U4);
every control is at least 44 px and stays inside its card on the phone.

The time step's month view marks closed and full days and jumps from them to the next open one,
and is driven from the keyboard. One walk per viewport, set up through the API; the browser only
for what is under test.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from playwright.async_api import Page, expect

from regulars.shared import clock
from regulars.shared.testing.infra import Stack

from .conftest import chosen_day, show_day, unique_email, with_catalog

pytestmark = [pytest.mark.browser, pytest.mark.clock]
MADRID = ZoneInfo("Europe/Madrid")

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
    catalog = await with_catalog(stack, slug, stylists=("Ana Stylist", "Bea Barber"))
    today = clock.now().astimezone(MADRID).date()
    closed, full = today + timedelta(days=2), today + timedelta(days=3)
    await close_a_day_and_fill_one_for_bea(stack, slug, catalog["key"], closed, full)
    email = unique_email("steps")
    await page.goto(f"{stack.gateway_url}/w/{slug}/book")
    service_step = page.get_by_role("heading", level=2, name="Choose a service")
    await expect(service_step).to_be_visible()
    await fits(page)
    await page.get_by_role("button", name="Haircut").click()

    # The month view opens on the first day with free times (tomorrow once today's are over).
    await expect(page).to_have_url(re.compile(r"/book/time\?service=[^&]+&date=\d{4}-\d{2}-\d{2}$"))
    assert await chosen_day(page) in (today, today + timedelta(days=1))
    await expect(page.locator(".slot").first).to_be_visible()
    await fits(page)
    await a11y(page)
    day = await picks_around_closed_and_full_days(page, closed, full, a11y)

    # The day and the staff member are in the address, and a reload keeps them.
    await expect(page).to_have_url(re.compile(rf"/book/time\?service=[^&]+&staff=[^&]+&date={day}$"))
    await page.reload()
    assert await chosen_day(page) == day
    await expect(page.get_by_label("With").locator("option:checked")).to_have_text("Bea Barber")
    await expect(page.locator(".slot").first).to_be_visible()
    await fits(page)
    await page.locator(f'.slot[data-start^="{day}T"]').first.click()

    await details_survive_reload_and_language(page, email, top_nav)
    await fits(page)
    await a11y(page)

    # Back and Forward move between the steps, each as it was left.
    await page.go_back()
    assert await chosen_day(page) == day
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


async def picks_around_closed_and_full_days(page: Page, closed: date, full: date, a11y: Any) -> date:
    """A closed day and, with Bea, a full one are marked and jump to the next open day; the keyboard
    moves through the month. The day chosen in the end."""
    closed_day = await show_day(page, closed)
    await expect(closed_day).to_have_attribute("aria-label", re.compile(r": closed$"))
    await closed_day.click()
    jumped = page.get_by_role("status").filter(has_text="The next day with free times is")
    await expect(jumped).to_contain_text("closed")
    assert await chosen_day(page) == full  # Ana is free that day
    await a11y(page)
    await page.get_by_label("With").select_option(label="Bea Barber")
    await expect(jumped).to_contain_text("fully booked")
    after = full + timedelta(days=1)
    assert await chosen_day(page) == after
    if full.month == after.month:
        await expect(page.locator(f'.day[data-day="{full}"]')).to_have_attribute("aria-label", re.compile("booked$"))
    # Arrows move the focus (across the end of a month too), Enter chooses.
    await page.locator(f'.day[data-day="{after}"]').focus()
    chosen = after + timedelta(days=1)
    for key, lands in (("ArrowRight", chosen), ("ArrowDown", chosen + timedelta(days=7)), ("ArrowUp", chosen)):
        await page.keyboard.press(key)
        await expect(page.locator(f'.day[data-day="{lands}"]')).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator(f'.day[data-day="{chosen}"]')).to_have_attribute("aria-pressed", "true")
    return chosen


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MADRID)


async def close_a_day_and_fill_one_for_bea(stack: Stack, slug: str, key: str, closed: date, full: date) -> None:
    """Both stylists off all of ``closed``; Bea off on ``full`` but for 19:15, which is then booked."""
    admin = f"{stack.gateway_url}/api/v1/admin/businesses/{slug}"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
        async with http.get(f"{stack.gateway_url}/api/v1/b/{slug}/staff") as response:
            staff = {s["name"]: s["id"] for s in (await response.json())["staff"]}
        async with http.get(f"{stack.gateway_url}/api/v1/b/{slug}/services") as response:
            service_id = (await response.json())["services"][0]["id"]
        offs = [(staff["Ana Stylist"], at(closed, 0), at(closed + timedelta(days=1), 0)),
                (staff["Bea Barber"], at(closed, 0), at(closed + timedelta(days=1), 0)),
                (staff["Bea Barber"], at(full, 0), at(full, 19, 15))]  # fmt: skip
        for staff_id, starts, ends in offs:
            body = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}
            async with http.post(f"{admin}/staff/{staff_id}/time-off", json=body) as response:
                assert response.status == 201, await response.text()
        client = {"first_name": "Otro", "email": unique_email("otro"), "phone": "+34 600 777 888"}
        booking = {"service_id": service_id, "staff_id": staff["Bea Barber"], "start": at(full, 19, 15).isoformat(),
                   "client": client}  # fmt: skip
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        bookings = f"{stack.gateway_url}/api/v1/b/{slug}/bookings"
        async with http.post(bookings, json=booking, headers=headers) as response:
            assert response.status == 201, await response.text()


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
