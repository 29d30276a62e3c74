"""The one clock every process reads for "now": policy windows, availability, tokens,
sessions, reminders, purge and expiry jobs, event timestamps.

Use cases take ``now`` as an argument (ARCHITECTURE "Time is injected"); the entry points
get it from ``now()`` here. In production this is the system's UTC clock. Tests can move
every process of a run to another moment with the setting ``clock_offset_seconds``
(``REGULARS_CLOCK_OFFSET_SECONDS``), so a test means the same thing on any day: time
still flows, shifted by the offset, and every process of the run shares it through its
settings. A production process refuses to start with a non-zero offset.

The messaging machinery (the relay's backoff, metrics of the outbox's age) keeps the real
clock: it compares with PostgreSQL's ``now()``, and is about the process, not the business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

Clock = Callable[[], datetime]

_offset = timedelta(0)


class _HasClockOffset(Protocol):
    @property
    def clock_offset_seconds(self) -> float: ...


def now() -> datetime:
    """The current moment (UTC, timezone-aware) as this process's clock reads it."""
    return datetime.now(UTC) + _offset


def offset() -> timedelta:
    return _offset


def configure(settings: _HasClockOffset) -> None:
    """Set this process's clock from its settings (once, at start-up)."""
    set_offset(timedelta(seconds=settings.clock_offset_seconds))


def set_offset(value: timedelta) -> None:
    global _offset
    _offset = value


def offset_to(moment: datetime) -> float:
    """The offset, in seconds, that makes the clock read ``moment`` now."""
    if moment.tzinfo is None:
        raise ValueError("a simulated now needs an offset, e.g. 2027-03-27T23:30:00+01:00")
    return (moment - datetime.now(UTC)).total_seconds()
