"""Booking emails render in the four languages (R-U4), in the business's time zone."""

from __future__ import annotations

import pytest

from regulars.notifications.adapters.templates import render
from regulars.notifications.entrypoints.appointment_messages import BOOKING_VARIABLES, reminder_ref
from regulars.shared.locale import LOCALES

VARIABLES = {
    "first_name": "Ana <b>",
    "service_name": "Corte",
    "staff_name": "Marco",
    "starts_at": "2026-10-26T09:00:00+00:00",
    "link": "https://example.test/w/salon/manage?token=abc",
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", ["appointment_booked", "appointment_rescheduled", "appointment_cancelled"])
def test_r_u4_booking_emails_render_in_every_language(template: str, locale: str) -> None:
    rendered = render(template, locale, VARIABLES, business_name="Salon", timezone="Europe/Madrid")
    assert "10:00" in rendered.text  # 09:00 UTC is 10:00 in Madrid after the October change
    assert "Marco" in rendered.text
    assert VARIABLES["link"] in rendered.text
    assert "Ana &lt;b&gt;" in rendered.html
    without_staff = {k: v for k, v in VARIABLES.items() if k in BOOKING_VARIABLES}
    assert "Marco" not in render(template, locale, without_staff, business_name="Salon").text


def test_reminder_reference_changes_with_each_version() -> None:
    assert reminder_ref("b1", 0) != reminder_ref("b1", 1)
