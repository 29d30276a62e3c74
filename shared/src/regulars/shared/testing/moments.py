"""Simulated "nows" for the tests: the moments a booking system gets wrong.

``pytest --simulated-now NAME`` (or an ISO 8601 time with an offset) moves the clock of the
test process and of every process it starts (``regulars.shared.clock``). Named moments are
found from today, always ahead, so a run means the same thing whatever day it starts:

- ``saturday-night``: the next Saturday, 23:30 in Europe/Madrid (the next day is a Sunday,
  and "tomorrow" is already a few minutes away);
- ``dst-night``: 30 minutes before Europe/Madrid's next daylight-saving change (the wall
  clock jumps or repeats an hour that night);
- ``dst-saturday-night``: 23:30 on the Saturday before that change (both of the above);
- ``new-years-eve``: the next 31 December, 23:30 in Europe/Madrid (day, month and year all
  change within the hour).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MADRID = ZoneInfo("Europe/Madrid")


def _today() -> datetime:
    return datetime.now(UTC).astimezone(MADRID)


def _at_2330(day: datetime) -> datetime:
    return datetime.combine(day.date(), time(23, 30), tzinfo=MADRID)


def next_saturday_night(after: datetime | None = None) -> datetime:
    start = after or _today()
    day = start + timedelta(days=(5 - start.weekday()) % 7)
    moment = _at_2330(day)
    return moment if moment > start else _at_2330(day + timedelta(days=7))


def next_offset_change(after: datetime | None = None) -> datetime:
    """The first instant (to the minute) after ``after`` at which Madrid's UTC offset changes."""
    start = (after or _today()).astimezone(UTC).replace(second=0, microsecond=0)
    step = timedelta(hours=1)
    moment = start
    offset = moment.astimezone(MADRID).utcoffset()
    while (moment + step).astimezone(MADRID).utcoffset() == offset:
        moment += step
    while (moment + timedelta(minutes=1)).astimezone(MADRID).utcoffset() == offset:
        moment += timedelta(minutes=1)
    return (moment + timedelta(minutes=1)).astimezone(MADRID)


def dst_night(after: datetime | None = None) -> datetime:
    # Arithmetic in UTC: on an aware Madrid time it would be wall-clock arithmetic.
    return (next_offset_change(after).astimezone(UTC) - timedelta(minutes=30)).astimezone(MADRID)


def dst_saturday_night(after: datetime | None = None) -> datetime:
    change = next_offset_change(after)
    saturday = change.astimezone(MADRID) - timedelta(days=(change.weekday() - 5) % 7)
    return _at_2330(saturday) if _at_2330(saturday) > (after or _today()) else dst_night(after)


def new_years_eve(after: datetime | None = None) -> datetime:
    start = after or _today()
    moment = datetime(start.year, 12, 31, 23, 30, tzinfo=MADRID)
    return moment if moment > start else datetime(start.year + 1, 12, 31, 23, 30, tzinfo=MADRID)


NAMED: dict[str, Callable[[], datetime]] = {
    "saturday-night": next_saturday_night,
    "dst-night": dst_night,
    "dst-saturday-night": dst_saturday_night,
    "new-years-eve": new_years_eve,
}


def resolve(value: str) -> datetime:
    """A named moment or an ISO 8601 time with an offset."""
    if value in NAMED:
        return NAMED[value]()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"--simulated-now {value!r}: name one of {sorted(NAMED)} or give an offset")
    return moment
