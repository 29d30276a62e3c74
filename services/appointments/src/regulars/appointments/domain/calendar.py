"""iCalendar files: one booking (with METHOD:CANCEL once cancelled) and a client's feed.

Each event keeps a stable UID and carries the booking's SEQUENCE, which grows with
every change, so calendar apps update the event in place. Times are written in the
business's zone with its VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PRODID = "-//Regulars//Appointments//EN"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    sequence: int
    summary: str
    location: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    cancelled: bool


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    zone = ZoneInfo(entry.timezone)
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    event.add("summary", entry.summary)
    event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return event


def calendar_file(entries: Iterable[CalendarEntry], *, stamp: datetime, name: str | None = None) -> bytes:
    """A calendar with the given events; a single cancelled event makes a METHOD:CANCEL file."""
    listed = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    single_cancel = len(listed) == 1 and listed[0].cancelled
    calendar.add("method", "CANCEL" if single_cancel else "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for zone in sorted({entry.timezone for entry in listed}):
        calendar.add_component(_vtimezone(zone))
    for entry in listed:
        calendar.add_component(_event(entry, stamp))
    return bytes(calendar.to_ical())


@lru_cache(maxsize=64)
def _vtimezone(zone: str) -> Timezone:
    """A zone's VTIMEZONE takes milliseconds to build and never changes: built once per zone.

    The component is only ever serialised, never modified, so one object serves every file.
    """
    return Timezone.from_tzid(zone)
