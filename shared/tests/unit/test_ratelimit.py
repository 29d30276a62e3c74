"""The rate-limit arithmetic: windows, the sliding estimate, Retry-After (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from regulars.shared.http.errors import ApiError, from_http_exception
from regulars.shared.ratelimit import Limit, RateLimited, Recent, seconds_left, window_start

HOURLY = Limit("test-hourly", 100, timedelta(hours=1))
HOUR_START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_seconds_left_is_until_the_window_ends() -> None:
    assert window_start(HOUR_START + timedelta(minutes=20), HOURLY) == HOUR_START
    assert seconds_left(HOUR_START + timedelta(minutes=20), HOURLY) == 40 * 60
    assert seconds_left(HOUR_START + timedelta(minutes=59, seconds=59, microseconds=1), HOURLY) == 1


def test_the_sliding_estimate_counts_the_share_of_the_previous_window_still_inside_the_last_hour() -> None:
    quarter_past = HOUR_START + timedelta(minutes=15)
    recent = Recent(HOURLY, quarter_past, current=40, previous=80)
    assert recent.estimate == 40 + 80 * 0.75
    assert recent.over()
    assert not Recent(HOURLY, quarter_past, current=20, previous=80).over()


def test_retry_after_is_when_the_estimate_falls_below_the_limit() -> None:
    # 40 now and 80 before: below 100 once 80 * (1 - f) < 60, f > 1/4, i.e. just after 12:15.
    at_ten_past = Recent(HOURLY, HOUR_START + timedelta(minutes=10), current=40, previous=80)
    assert at_ten_past.retry_after() == 5 * 60 + 1
    assert Recent(HOURLY, HOUR_START + timedelta(minutes=15), current=40, previous=80).over()
    assert not Recent(HOURLY, HOUR_START + timedelta(minutes=15, seconds=1), current=40, previous=80).over()
    # 150 in this window: the rest of it, then until 150 * (1 - f) < 100 in the next (f > 1/3).
    full = Recent(HOURLY, HOUR_START + timedelta(minutes=30), current=150, previous=0)
    assert full.retry_after() == 30 * 60 + 20 * 60 + 1
    assert Recent(HOURLY, HOUR_START, current=100, previous=0).retry_after() == 3600 + 1


def test_every_429_says_retry_after() -> None:
    limited = RateLimited(HOURLY, HOUR_START + timedelta(minutes=45))
    assert limited.response().headers["Retry-After"] == str(15 * 60)
    assert "15 minutes" in limited.message
    assert ApiError(429, "rate_limited", "Slow down.").response().headers["Retry-After"] == "60"
    assert "Retry-After" not in ApiError(400, "bad", "Bad.").response().headers
    relayed = from_http_exception(web.HTTPTooManyRequests(headers={"Retry-After": "7"}))
    assert relayed.response().headers["Retry-After"] == "7"
