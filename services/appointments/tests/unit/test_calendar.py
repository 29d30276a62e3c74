"""iCalendar files: VTIMEZONE of the business, stable UID, SEQUENCE, METHOD:CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from regulars.appointments.domain.calendar import CalendarEntry, calendar_file


def entry(sequence: int = 0, cancelled: bool = False) -> CalendarEntry:
    return CalendarEntry(
        uid="abc@regulars",
        sequence=sequence,
        summary="Haircut · Demo Salon",
        location="Demo Salon",
        description="Haircut with Ana",
        starts_at=datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
        timezone="Europe/Madrid",
        cancelled=cancelled,
    )


def test_booking_file_has_business_timezone_and_stable_uid() -> None:
    parsed = Calendar.from_ical(calendar_file([entry(2)], stamp=datetime(2026, 11, 23, tzinfo=UTC)))
    assert parsed["method"] == "PUBLISH"
    assert [tz["tzid"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Madrid"]
    event = parsed.walk("VEVENT")[0]
    assert str(event["uid"]) == "abc@regulars"
    assert int(str(event["sequence"])) == 2
    assert event["dtstart"].params["TZID"] == "Europe/Madrid"
    assert event.decoded("dtstart").isoformat() == "2026-10-26T10:00:00+01:00"


def test_cancelled_booking_file_is_a_cancel() -> None:
    parsed = Calendar.from_ical(calendar_file([entry(3, cancelled=True)], stamp=datetime(2026, 11, 23, tzinfo=UTC)))
    assert parsed["method"] == "CANCEL"
    assert parsed.walk("VEVENT")[0]["status"] == "CANCELLED"
