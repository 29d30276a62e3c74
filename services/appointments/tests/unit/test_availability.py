"""Free slots from hours, time off, bookings and buffers, across daylight-saving changes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from regulars.appointments.domain.availability import (
    BusyIndex,
    Interval,
    StaffCalendar,
    WeeklyHours,
    free_slots,
    is_free,
    month_days,
)

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")
ANNA = uuid.UUID(int=1)
BEA = uuid.UUID(int=2)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def every_day(start: time, end: time) -> list[WeeklyHours]:
    return [WeeklyHours(day, start, end) for day in range(7)]


def day_window(day: date, zone: ZoneInfo) -> Interval:
    start = datetime.combine(day, time(0, 0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


def slots_on(
    day: date, zone: ZoneInfo, calendars: list[StaffCalendar], minutes: int = 60, buffer: int = 0
) -> list[Any]:
    return free_slots(
        calendars,
        zone=zone,
        duration=timedelta(minutes=minutes),
        buffer=timedelta(minutes=buffer),
        window=day_window(day, zone),
        not_before=LONG_AGO,
    )


def test_slots_follow_working_hours_on_the_grid() -> None:
    calendar = StaffCalendar(ANNA, hours=[WeeklyHours(0, time(9, 0), time(11, 0))])  # Mondays
    slots = slots_on(date(2026, 11, 23), MADRID, [calendar])
    starts = [s.start.astimezone(MADRID).time() for s in slots]
    # A 60-minute service in 09:00-11:00 on a 15-minute grid: 09:00 … 10:00.
    assert starts == [time(9, 0), time(9, 15), time(9, 30), time(9, 45), time(10, 0)]
    assert slots_on(date(2026, 11, 24), MADRID, [calendar]) == []  # Tuesday: not working


def test_europe_madrid_end_of_october_keeps_wall_clock_hours() -> None:
    """2026-10-25 at 03:00 CEST the clocks go back to 02:00 CET."""
    calendar = StaffCalendar(ANNA, hours=every_day(time(9, 0), time(10, 0)))
    before = slots_on(date(2026, 10, 24), MADRID, [calendar])
    after = slots_on(date(2026, 10, 26), MADRID, [calendar])
    assert before[0].start == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # 09:00+02:00
    assert after[0].start == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00+01:00
    assert before[0].start.astimezone(MADRID).isoformat() == "2026-10-24T09:00:00+02:00"
    assert after[0].start.astimezone(MADRID).isoformat() == "2026-10-26T09:00:00+01:00"


def test_europe_madrid_repeated_hour_is_offered_once() -> None:
    calendar = StaffCalendar(ANNA, hours=every_day(time(1, 0), time(4, 0)))
    slots = slots_on(date(2026, 10, 25), MADRID, [calendar], minutes=30)
    walls = [s.start.astimezone(MADRID).strftime("%H:%M%z") for s in slots]
    assert walls.count("02:00+0200") == 1
    assert "02:00+0100" not in walls
    assert len(walls) == len(set(s.start for s in slots))
    # The last slot ends when the block ends, 04:00 CET.
    assert slots[-1].end == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)


def test_america_new_york_march_skips_the_missing_hour() -> None:
    """2026-03-08 at 02:00 EST the clocks jump to 03:00 EDT."""
    calendar = StaffCalendar(ANNA, hours=every_day(time(0, 0), time(5, 0)))
    slots = slots_on(date(2026, 3, 8), NEW_YORK, [calendar], minutes=60)
    walls = [s.start.astimezone(NEW_YORK).strftime("%H:%M") for s in slots]
    assert not [w for w in walls if w.startswith("02:")]
    assert slots[0].start.astimezone(NEW_YORK).isoformat() == "2026-03-08T00:00:00-05:00"
    assert slots[-1].start.astimezone(NEW_YORK).isoformat() == "2026-03-08T04:00:00-04:00"
    # Every slot is a real hour long and ends by 05:00 EDT.
    for slot in slots:
        assert slot.end - slot.start == timedelta(hours=1)
        assert slot.end <= datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    # 01:15 EST + 60 minutes = 03:15 EDT, which is inside the block: offered.
    assert "01:15" in walls


def test_america_new_york_day_after_change_uses_new_offset() -> None:
    calendar = StaffCalendar(ANNA, hours=every_day(time(9, 0), time(10, 0)))
    before = slots_on(date(2026, 3, 7), NEW_YORK, [calendar])
    after = slots_on(date(2026, 3, 9), NEW_YORK, [calendar])
    assert before[0].start == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert after[0].start == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def test_bookings_and_their_buffers_block_slots() -> None:
    day = date(2026, 11, 23)
    booked_start = datetime(2026, 11, 23, 10, 0, tzinfo=MADRID).astimezone(UTC)
    # An existing 60-minute booking at 10:00 with a 15-minute buffer holds 10:00-11:15.
    calendar = StaffCalendar(
        ANNA,
        hours=every_day(time(9, 0), time(13, 0)),
        busy=[Interval(booked_start, booked_start + timedelta(minutes=75))],
    )
    slots = slots_on(day, MADRID, [calendar], minutes=60, buffer=15)
    walls = [s.start.astimezone(MADRID).strftime("%H:%M") for s in slots]
    # 08:45 would end at 10:00 with its buffer at 10:00; 09:00 + 60 + 15 = 10:15 overlaps.
    assert "09:00" not in walls
    assert "09:45" not in walls
    assert "11:15" in walls
    assert "11:00" not in walls
    assert walls[-1] == "12:00"


def test_time_off_blocks_and_other_staff_still_free() -> None:
    day = date(2026, 11, 23)
    off_start = datetime(2026, 11, 23, 9, 0, tzinfo=MADRID).astimezone(UTC)
    anna = StaffCalendar(
        ANNA, hours=every_day(time(9, 0), time(11, 0)), busy=[Interval(off_start, off_start + timedelta(hours=2))]
    )
    bea = StaffCalendar(BEA, hours=every_day(time(10, 0), time(11, 0)))
    slots = slots_on(day, MADRID, [anna, bea])
    assert [(s.start.astimezone(MADRID).strftime("%H:%M"), s.staff_ids) for s in slots] == [("10:00", (BEA,))]


def test_not_before_hides_past_slots_and_is_free_checks_one_start() -> None:
    calendar = StaffCalendar(ANNA, hours=every_day(time(9, 0), time(12, 0)))
    now = datetime(2026, 11, 23, 10, 5, tzinfo=MADRID).astimezone(UTC)
    slots = free_slots(
        [calendar],
        zone=MADRID,
        duration=timedelta(minutes=30),
        buffer=timedelta(0),
        window=day_window(date(2026, 11, 23), MADRID),
        not_before=now,
    )
    assert slots[0].start.astimezone(MADRID).strftime("%H:%M") == "10:15"
    ten_thirty = datetime(2026, 11, 23, 10, 30, tzinfo=MADRID).astimezone(UTC)
    assert is_free(calendar, zone=MADRID, start=ten_thirty, duration=timedelta(minutes=30), buffer=timedelta(0))
    off_grid = ten_thirty + timedelta(minutes=7)
    assert not is_free(calendar, zone=MADRID, start=off_grid, duration=timedelta(minutes=30), buffer=timedelta(0))
    too_late = datetime(2026, 11, 23, 11, 45, tzinfo=MADRID).astimezone(UTC)
    assert not is_free(calendar, zone=MADRID, start=too_late, duration=timedelta(minutes=30), buffer=timedelta(0))


@given(
    busy=st.lists(st.tuples(st.integers(0, 500), st.integers(1, 120)), max_size=30),
    start=st.integers(0, 600),
    length=st.integers(1, 120),
)
def test_busy_index_agrees_with_a_scan(busy: list[tuple[int, int]], start: int, length: int) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    intervals = [Interval(base + timedelta(minutes=s), base + timedelta(minutes=s + n)) for s, n in busy]
    candidate = Interval(base + timedelta(minutes=start), base + timedelta(minutes=start + length))
    assert BusyIndex(intervals).overlaps(candidate) == any(i.overlaps(candidate) for i in intervals)


# --- A month's calendar (R-A1) ---------------------------------------------------------

FAR = datetime(2100, 1, 1, tzinfo=UTC)


def month_of(month: date, zone: ZoneInfo, calendars: list[StaffCalendar], now: datetime, minutes: int = 60) -> Any:
    days = month_days(
        calendars, zone=zone, duration=timedelta(minutes=minutes), buffer=timedelta(0),
        month=month, now=now, horizon=FAR,
    )  # fmt: skip
    return {d.day.day: (d.status, d.free_times) for d in days}


def at(day: date, hour: int, zone: ZoneInfo = MADRID) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(UTC)


def test_r_a1_month_marks_open_full_closed_and_past_days() -> None:
    weekdays = [WeeklyHours(d, time(9, 0), time(11, 0)) for d in range(5)]
    booked = Interval(at(date(2026, 11, 12), 9), at(date(2026, 11, 12), 11))  # Thursday: all taken
    anna = StaffCalendar(ANNA, hours=weekdays, busy=[booked])
    now = at(date(2026, 11, 10), 12)  # Tuesday noon: today's hours are over
    days = month_of(date(2026, 11, 1), MADRID, [anna], now)
    assert len(days) == 30
    assert days[9] == ("past", 0)
    assert days[10] == ("full", 0)  # people worked today, nothing is left
    assert days[11] == ("open", 5)  # 09:00 … 10:00 on the 15-minute grid
    assert days[12] == ("full", 0)
    assert days[14] == ("closed", 0)  # Saturday: nobody works
    assert days[30] == ("open", 5)


def test_r_a1_time_off_closes_a_day_and_only_time_off() -> None:
    weekdays = [WeeklyHours(d, time(9, 0), time(11, 0)) for d in range(5)]
    friday, monday = date(2026, 11, 13), date(2026, 11, 16)
    day_off = Interval(at(friday, 0), at(friday + timedelta(days=1), 0))
    morning_off = Interval(at(monday, 9), at(monday, 10))
    anna = StaffCalendar(ANNA, hours=weekdays, busy=[day_off, morning_off], time_off=[day_off, morning_off])
    # Bea works Fridays too, but is booked all morning: Friday is full, not closed.
    bea_busy = Interval(at(friday, 9), at(friday, 11))
    bea = StaffCalendar(BEA, hours=[WeeklyHours(4, time(9, 0), time(11, 0))], busy=[bea_busy])
    now = at(date(2026, 11, 2), 8)
    alone = month_of(date(2026, 11, 1), MADRID, [anna], now)
    assert alone[13] == ("closed", 0)
    assert alone[16] == ("open", 1)  # 10:00 is left
    assert month_of(date(2026, 11, 1), MADRID, [anna, bea], now)[13] == ("full", 0)


def test_r_a1_month_days_follow_the_wall_clock_across_daylight_saving() -> None:
    # October in Madrid ends on +01:00 but starts on +02:00: a late block is on its own day at both ends.
    late = StaffCalendar(ANNA, hours=every_day(time(23, 0), time(0, 0)))
    october = month_of(date(2026, 10, 1), MADRID, [late], LONG_AGO)
    assert len(october) == 31
    assert set(october.values()) == {("open", 1)}
    # Spring forward: 02:00-03:00 does not exist on 29 March, so that Sunday is closed.
    night = StaffCalendar(ANNA, hours=[WeeklyHours(6, time(2, 0), time(3, 0))])
    march = month_of(date(2026, 3, 1), MADRID, [night], LONG_AGO, minutes=30)
    assert march[22] == ("open", 3)
    assert march[29] == ("closed", 0)
    # In New York the 1 November night repeats 01:00-02:00: two hours of work, each wall time once.
    repeated = StaffCalendar(ANNA, hours=[WeeklyHours(6, time(1, 0), time(2, 0))])
    november = month_of(date(2026, 11, 1), NEW_YORK, [repeated], LONG_AGO, minutes=30)
    assert (november[1], november[8]) == (("open", 4), ("open", 3))
