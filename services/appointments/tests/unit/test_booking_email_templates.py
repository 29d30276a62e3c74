"""Booking emails render in the four languages (R-U4), in the business's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regulars.notifications.adapters.templates import render
from regulars.notifications.domain.message_types import (
    AppointmentBookedVariables,
    AppointmentCancelledVariables,
    AppointmentRescheduledVariables,
    BookingVariables,
)
from regulars.notifications.entrypoints.appointment_messages import reminder_ref
from regulars.shared.locale import LOCALES

LINK = "https://example.test/w/salon/manage?token=abc"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "message", [AppointmentBookedVariables, AppointmentRescheduledVariables, AppointmentCancelledVariables]
)
def test_r_u4_booking_emails_render_in_every_language(message: type[BookingVariables], locale: str) -> None:
    variables = message(
        first_name="Ana <b>", service_name="Corte", staff_name="Marco",
        starts_at=datetime(2026, 10, 26, 9, tzinfo=UTC), link=LINK,
    )  # fmt: skip
    rendered = render(variables, locale, business_name="Salon", timezone="Europe/Madrid")
    assert "10:00" in rendered.text  # 09:00 UTC is 10:00 in Madrid after the October change
    assert "Marco" in rendered.text
    assert LINK in rendered.text
    assert "Ana &lt;b&gt;" in rendered.html
    without_staff = variables.model_copy(update={"staff_name": ""})
    assert "Marco" not in render(without_staff, locale, business_name="Salon").text


def test_reminder_reference_changes_with_each_version() -> None:
    assert reminder_ref("b1", 0) != reminder_ref("b1", 1)
