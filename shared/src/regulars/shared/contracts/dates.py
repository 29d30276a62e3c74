"""The dates every service accepts: from 1900-01-01 to 2200-12-31.

Python and PostgreSQL both reach further, but not together: arithmetic near year 1 or 9999 (a
day of margin, a time zone) overflows, and a time that far out is a typing mistake anyway. Any
date or time a client or a business sends is refused with 422 (code ``date_out_of_range``)
outside these bounds; services add tighter rules of their own (bookings at most two years ahead).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)
OUT_OF_RANGE = "date_out_of_range"
OUT_OF_RANGE_MESSAGE = f"Use a date between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}."


def in_range(value: date | datetime) -> bool:
    """Whether ``value`` (a time: its own calendar date, before any conversion) is within bounds."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DAY <= day <= LATEST_DAY


T = TypeVar("T", date, datetime)


def _bounded(value: T) -> T:
    if not in_range(value):
        raise PydanticCustomError(OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE)
    return value


CalendarDate = Annotated[date, AfterValidator(_bounded)]
"""A date (a birthday, a day to search) within the bounds."""

Moment = Annotated[AwareDatetime, AfterValidator(_bounded)]
"""A time with its offset (a booking's start, time off) within the bounds."""
