"""The rate-limit arithmetic: windows, slices of a ceiling, Retry-After (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from regulars.shared.http.domain_errors import api_error
from regulars.shared.http.errors import ApiError, from_http_exception
from regulars.shared.ratelimit import Limit, RateLimited, Recent, window_start

HOURLY = Limit("test-hourly", 100, timedelta(hours=1))
HOUR_START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_limits_count_per_minute_unless_told() -> None:
    assert HOURLY.slice == timedelta(minutes=1)
    assert Limit("short", 5, timedelta(seconds=30)).slice == timedelta(seconds=30)
    assert Limit("coarse", 5, timedelta(hours=1), slices=4).slice == timedelta(minutes=15)
    assert window_start(HOUR_START + timedelta(minutes=20, seconds=30), HOURLY) == HOUR_START + timedelta(minutes=20)


CEILING = HOURLY


def minutes(*pairs: tuple[int, int]) -> tuple[tuple[datetime, int], ...]:
    """Slices (minute after HOUR_START, hits)."""
    return tuple((HOUR_START + timedelta(minutes=m), hits) for m, hits in pairs)


def test_the_ceiling_holds_across_an_hour_edge() -> None:
    # 60 failures at 12:59 and 40 at 13:00: all 100 within the last hour, refused at once
    # (a weighted estimate of the hour before would have let more through).
    now = HOUR_START + timedelta(minutes=60, seconds=5)
    assert Recent(CEILING, now, minutes((59, 60), (60, 40))).over()
    assert not Recent(CEILING, now, minutes((59, 60), (60, 39))).over()


def test_retry_after_is_when_enough_slices_age_out() -> None:
    # 99 at 12:10 and 1 at 12:40: below 100 once the 12:10 slice ends an hour ago, at 13:11.
    now = HOUR_START + timedelta(minutes=45)
    held = Recent(CEILING, now, minutes((10, 99), (40, 1)))
    assert held.retry_after() == 26 * 60 + 1
    # 150 in one slice: all of it must age out.
    assert Recent(CEILING, now, minutes((40, 150))).retry_after() == 56 * 60 + 1
    assert Recent(CEILING, now, minutes((40, 5))).retry_after() == 1
    # Another allowance than the limit's (fewer tries while the account is under attack).
    assert Recent(CEILING, now, minutes((10, 2), (40, 1))).retry_after(3) == 26 * 60 + 1
    assert Recent(CEILING, now, minutes((10, 2), (40, 1))).over(3)


def test_every_429_says_retry_after() -> None:
    limited = RateLimited(HOURLY, HOUR_START, retry_after=15 * 60)
    assert api_error(limited).response().headers["Retry-After"] == str(15 * 60)
    assert "15 minutes" in limited.message
    assert (
        api_error(RateLimited(HOURLY, HOUR_START)).response().headers["Retry-After"] == "3600"
    )  # told nothing: the window
    assert ApiError(429, "rate_limited", "Slow down.").response().headers["Retry-After"] == "60"
    assert "Retry-After" not in ApiError(400, "bad", "Bad.").response().headers
    relayed = from_http_exception(web.HTTPTooManyRequests(headers={"Retry-After": "7"}))
    assert relayed.response().headers["Retry-After"] == "7"
