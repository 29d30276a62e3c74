"""Free times: working hours minus time off, bookings and buffers, in the business's time zone.

Pure functions, no I/O. Working hours are wall-clock times in the business's zone;
everything else is an absolute instant (timezone-aware UTC). Candidate starts are
stepped in wall-clock time and converted with ``zoneinfo``, so a day that loses or
gains an hour (daylight-saving change) has the slots its wall clock shows: a time
that does not exist is skipped, and a time that occurs twice is offered once (the
first occurrence).

A month's calendar (``month_days``) is two passes of the same search over the month: one with
everything busy (free times) and one with only time off (working times), so a day with nothing
free is told apart as full (people work, all is taken) or closed (nobody works, or all are off).
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

DEFAULT_STEP = timedelta(minutes=15)
MAX_RANGE = timedelta(days=62)
# Bookings (and the free times offered) at most this far ahead of now: a business plans no further.
MAX_AHEAD = timedelta(days=730)


@dataclass(frozen=True)
class Interval:
    """A half-open interval of instants ``[start, end)``."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyHours:
    """One working block on a weekday (0 = Monday), wall-clock in the business's zone."""

    weekday: int
    start: time
    end: time


@dataclass
class StaffCalendar:
    staff_id: uuid.UUID
    hours: list[WeeklyHours] = field(default_factory=list)
    # Time off and existing bookings (each booking already extended by its buffer).
    busy: list[Interval] = field(default_factory=list)
    # The time off among ``busy``: what makes a day closed rather than full.
    time_off: list[Interval] = field(default_factory=list)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    staff_ids: tuple[uuid.UUID, ...]


def to_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def wall_to_instant(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The instant a wall-clock time names on ``day``; None when the clock skips it."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of two occurrences
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # in the gap of a spring-forward change
    return instant


def block_end(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """End of a working block as an instant; a block ending inside a gap ends when the gap does."""
    if wall == time(0, 0):
        day, wall = day + timedelta(days=1), wall  # 00:00 as an end means midnight at the end of the day
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=1)  # later occurrence for an end
    return local.astimezone(UTC)


class BusyIndex:
    """Busy intervals sorted by start, with the running maximum of their ends: whether a
    candidate overlaps any of them is one binary search, not a scan."""

    def __init__(self, busy: Sequence[Interval]) -> None:
        ordered = sorted(busy, key=lambda i: i.start)
        self.starts = [i.start for i in ordered]
        self.max_ends: list[datetime] = []
        for interval in ordered:
            last = self.max_ends[-1] if self.max_ends else interval.end
            self.max_ends.append(max(last, interval.end))

    def overlaps(self, candidate: Interval) -> bool:
        # Intervals starting before the candidate ends overlap it iff one of them ends after it starts.
        before = bisect.bisect_left(self.starts, candidate.end)
        return before > 0 and self.max_ends[before - 1] > candidate.start


def _walls(start: time, end: time, step: timedelta) -> Iterable[time]:
    anchor = datetime.combine(date(2000, 1, 3), start)
    stop = datetime.combine(date(2000, 1, 3 if end != time(0, 0) else 4), end)
    current = anchor
    while current < stop:
        yield current.time()
        current += step


def _block_starts(day: date, block: WeeklyHours, end: datetime, zone: ZoneInfo, step: timedelta) -> Iterator[datetime]:
    """Candidate starts of one working block, in order.

    On a day whose offset does not change during the block (almost always), wall-clock
    steps are steps of absolute time; otherwise every wall time is converted on its own,
    so a skipped hour is skipped and a repeated one is offered once.
    """
    first = wall_to_instant(day, block.start, zone)
    if first is not None and first.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset():
        current = first
        while current < end:
            yield current
            current += step
        return
    for wall in _walls(block.start, block.end, step):
        start = wall_to_instant(day, wall, zone)
        if start is not None:
            yield start


def free_slots(
    calendars: Sequence[StaffCalendar],
    *,
    zone: ZoneInfo,
    duration: timedelta,
    buffer: timedelta,
    window: Interval,
    not_before: datetime,
    step: timedelta = DEFAULT_STEP,
) -> list[Slot]:
    """Every start in ``window`` (and not before ``not_before``) at which some staff is free.

    A start is free for a staff member when the service (``duration``) fits inside one
    of their working blocks and the service plus its ``buffer`` overlaps none of their
    busy intervals.
    """
    first_day = to_wall(window.start, zone).date() - timedelta(days=1)
    last_day = to_wall(window.end, zone).date()
    found: dict[datetime, list[uuid.UUID]] = {}
    for calendar in calendars:
        busy = BusyIndex(calendar.busy)
        day = first_day
        while day <= last_day:
            for block in calendar.hours:
                if block.weekday != day.weekday():
                    continue
                end = block_end(day, block.end, zone)
                if end <= window.start:
                    continue
                for start in _block_starts(day, block, end, zone, step):
                    if start >= window.end or start + duration > end:
                        break
                    if start < window.start or start < not_before:
                        continue
                    if busy.overlaps(Interval(start, start + duration + buffer)):
                        continue
                    staff_here = found.setdefault(start, [])
                    if calendar.staff_id not in staff_here:
                        staff_here.append(calendar.staff_id)
            day += timedelta(days=1)
    return [Slot(start=start, end=start + duration, staff_ids=tuple(staff)) for start, staff in sorted(found.items())]


def is_free(
    calendar: StaffCalendar,
    *,
    zone: ZoneInfo,
    start: datetime,
    duration: timedelta,
    buffer: timedelta,
    step: timedelta = DEFAULT_STEP,
) -> bool:
    """Whether ``start`` is one of the staff member's free slots."""
    slots = free_slots(
        [calendar],
        zone=zone,
        duration=duration,
        buffer=buffer,
        window=Interval(start, start + timedelta(seconds=1)),
        not_before=start,
        step=step,
    )
    return bool(slots) and slots[0].start == start


DayStatus = Literal["open", "full", "closed", "past"]


@dataclass(frozen=True)
class CalendarDay:
    """One day of a month in the business's zone, and how many free starts it has."""

    day: date
    status: DayStatus
    free_times: int


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_window(month: date, zone: ZoneInfo) -> Interval:
    """From midnight of the month's first day to midnight of the next month's, in ``zone``."""
    start = datetime.combine(month, time(0, 0), tzinfo=zone)
    end = datetime.combine(next_month(month), time(0, 0), tzinfo=zone)
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


def _starts_per_day(slots: Iterable[Slot], zone: ZoneInfo) -> dict[date, int]:
    counts: dict[date, int] = {}
    for slot in slots:
        day = slot.start.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def month_days(
    calendars: Sequence[StaffCalendar],
    *,
    zone: ZoneInfo,
    duration: timedelta,
    buffer: timedelta,
    month: date,
    now: datetime,
    horizon: datetime,
    step: timedelta = DEFAULT_STEP,
) -> list[CalendarDay]:
    """Every day of ``month`` (its first day): open (free starts from ``now`` until ``horizon``),
    full (someone works a time the service fits in, nothing is free), closed (nobody does:
    no hours, or time off) or past."""
    window = month_window(month, zone)

    def starts(of: Sequence[StaffCalendar], not_before: datetime) -> list[Slot]:
        found = free_slots(
            of, zone=zone, duration=duration, buffer=buffer, window=window, not_before=not_before, step=step
        )
        return [s for s in found if s.start <= horizon]

    free = _starts_per_day(starts(calendars, now), zone)
    off_only = [StaffCalendar(c.staff_id, hours=c.hours, busy=c.time_off) for c in calendars]
    working = _starts_per_day(starts(off_only, window.start), zone)
    today = now.astimezone(zone).date()
    days: list[CalendarDay] = []
    day = month
    while day < next_month(month):
        if day < today:
            days.append(CalendarDay(day, "past", 0))
        elif free.get(day):
            days.append(CalendarDay(day, "open", free[day]))
        else:
            days.append(CalendarDay(day, "full" if working.get(day) else "closed", 0))
        day += timedelta(days=1)
    return days
