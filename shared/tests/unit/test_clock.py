"""The one clock (regulars.shared.clock) and the simulated nows of the tests (testing/moments.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from regulars.shared import clock
from regulars.shared.testing import moments

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def restored() -> Iterator[None]:
    before = clock.offset()
    yield
    clock.set_offset(before)


def test_offset_moves_now_and_time_still_flows(restored: None) -> None:
    target = datetime(2031, 12, 31, 22, 30, tzinfo=UTC)
    clock.set_offset(timedelta(seconds=clock.offset_to(target)))
    first = clock.now()
    assert abs(first - target) < timedelta(seconds=5)
    assert first.tzinfo is not None
    assert clock.now() >= first


def test_configure_reads_the_setting(restored: None) -> None:
    clock.configure(SimpleNamespace(clock_offset_seconds=3600.0))
    assert clock.offset() == timedelta(hours=1)
    clock.configure(SimpleNamespace(clock_offset_seconds=0.0))
    assert clock.offset() == timedelta(0)


def test_a_simulated_now_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="offset"):
        clock.offset_to(datetime(2030, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="offset"):
        moments.resolve("2030-01-01T12:00:00")


def test_saturday_night_is_the_next_saturday_at_2330_in_madrid() -> None:
    wednesday = datetime(2026, 12, 2, 10, 0, tzinfo=MADRID)
    assert moments.next_saturday_night(wednesday) == datetime(2026, 12, 5, 23, 30, tzinfo=MADRID)
    late_saturday = datetime(2026, 12, 5, 23, 45, tzinfo=MADRID)
    assert moments.next_saturday_night(late_saturday) == datetime(2026, 12, 12, 23, 30, tzinfo=MADRID)


def test_dst_night_is_half_an_hour_before_the_change_in_both_directions() -> None:
    spring = moments.dst_night(datetime(2027, 1, 10, tzinfo=MADRID))
    assert spring.astimezone(UTC) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # 01:30 CET, clocks jump at 02:00
    autumn = moments.dst_night(datetime(2027, 4, 1, tzinfo=MADRID))
    assert autumn.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST, 03:00 becomes 02:00
    assert (spring.astimezone(UTC) + timedelta(hours=1)).astimezone(MADRID).utcoffset() != spring.utcoffset()


def test_dst_saturday_night_and_new_years_eve() -> None:
    assert moments.dst_saturday_night(datetime(2027, 1, 10, tzinfo=MADRID)) == datetime(
        2027, 3, 27, 23, 30, tzinfo=MADRID
    )
    assert moments.new_years_eve(datetime(2027, 6, 1, tzinfo=MADRID)) == datetime(2027, 12, 31, 23, 30, tzinfo=MADRID)
    assert moments.new_years_eve(datetime(2027, 12, 31, 23, 45, tzinfo=MADRID)).year == 2028


def test_every_named_moment_is_ahead_of_now() -> None:
    for name in moments.NAMED:
        assert moments.resolve(name) > datetime.now(UTC), name
