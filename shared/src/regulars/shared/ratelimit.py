"""Rate limits for any service: fixed-window counters in PostgreSQL, shared by every replica.

A ``Limit`` names a bucket kind (``login-ip``, ``gift-card-code-device``…), how many hits
it allows and per how long. A bucket is that kind plus a key made with ``bucket_key`` from
what is limited — an address, a device, a target (an account, a gift card), or a pair —
hashed, so emails and addresses are never stored in clear. The table is
``regulars.shared.db.tables.rate_limits``; a service that wants limits creates it in a
migration with ``create_rate_limits_table`` and prunes it in a periodic job with ``prune``.

- ``enforce``: count one hit and refuse with 429 (``RateLimited``, with ``Retry-After``)
  beyond the limit. Use it before the work it guards: the hit commits at once, so a
  request that then fails (a wrong password, a wrong gift-card code) still counts.
- ``hit`` / ``count``: count one hit and get the window's total, for callers that decide
  themselves (a quiet cap: answer the same but send nothing more).
- ``recent``: the hits of about the last window (this one and a share of the one before),
  without counting, for ceilings that must not let twice the limit through across a
  window's edge; its ``retry_after`` says when the estimate falls below the limit.

Example, a gift-card code lookup limited per address, per device and per card::

    PER_IP = Limit("gift-card-code-ip", 20, timedelta(minutes=15))
    PER_DEVICE = Limit("gift-card-code-device", 10, timedelta(minutes=15))
    PER_CARD = Limit("gift-card-code-card", 5, timedelta(hours=1))
    await enforce(engine, PER_IP, bucket_key(caller.ip), now)
    await enforce(engine, PER_DEVICE, bucket_key(caller.device_id), now)
    await enforce(engine, PER_CARD, bucket_key(business_id, code), now)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.shared.db.tables import rate_limits
from regulars.shared.http.errors import ApiError

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Limit:
    name: str  # the bucket kind, unique per service
    max_hits: int
    window: timedelta


class RateLimited(ApiError):
    """429 with ``Retry-After``: the seconds until the window that refused ends."""

    def __init__(
        self,
        limit: Limit,
        now: datetime,
        *,
        code: str = "rate_limited",
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        retry_after = retry_after or seconds_left(now, limit)
        minutes = max(1, math.ceil(retry_after / 60))
        text = message or f"Too many attempts; try again within {minutes} minutes."
        super().__init__(429, code, text, retry_after=retry_after)


def bucket_key(*parts: object) -> str:
    """A bucket name that does not store emails or addresses in clear."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def window_start(now: datetime, limit: Limit) -> datetime:
    size = limit.window.total_seconds()
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=elapsed - elapsed % size)


def seconds_left(now: datetime, limit: Limit) -> int:
    """Whole seconds until the current window of ``limit`` ends (at least 1)."""
    ends = window_start(now, limit) + limit.window
    return max(1, math.ceil((ends - now).total_seconds()))


def _bucket(limit: Limit, key: str) -> str:
    return f"{limit.name}:{key}"


async def hit(engine: AsyncEngine, limit: Limit, key: str, now: datetime) -> int:
    """Count one hit, committed at once; the number of hits in the current window, this one included."""
    async with engine.begin() as conn:
        return await count(conn, limit, key, now)


async def count(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> int:
    """``hit`` inside the caller's transaction (which must commit before the guarded work)."""
    values = {"bucket": _bucket(limit, key), "window_start": window_start(now, limit), "hits": 1}
    statement = (
        insert(rate_limits)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[rate_limits.c.bucket, rate_limits.c.window_start],
            set_={"hits": rate_limits.c.hits + 1},
        )
        .returning(rate_limits.c.hits)
    )
    return int((await conn.execute(statement)).scalar_one())


async def peek(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> int:
    """The hits in the current window, without counting one."""
    return await _hits(conn, limit, key, window_start(now, limit))


@dataclass(frozen=True)
class Recent:
    """The hits of this window and of the one before, seen at ``now``."""

    limit: Limit
    now: datetime
    current: int
    previous: int

    @property
    def elapsed(self) -> float:
        """How much of the current window has passed, 0 to 1."""
        return (self.now - window_start(self.now, self.limit)) / self.limit.window

    @property
    def estimate(self) -> float:
        """About the hits of the last ``window``: this window's, plus the previous window's
        weighted by how much of it the last ``window`` still covers (a sliding window)."""
        return self.current + self.previous * (1 - self.elapsed)

    def over(self) -> bool:
        return self.estimate >= self.limit.max_hits

    def retry_after(self) -> int:
        """The first whole second at which the estimate is below the limit, if nothing more is counted."""
        size = self.limit.window.total_seconds()
        if self.current >= self.limit.max_hits:  # wait for this window to be the previous one
            rest = size * (1 - self.elapsed) + size * (1 - self.limit.max_hits / self.current)
        else:
            reached = 1 - (self.limit.max_hits - self.current) / self.previous if self.previous else 0.0
            rest = size * (reached - self.elapsed)
        # At ``rest`` the estimate equals the limit, which still refuses: the next whole second.
        return max(1, math.floor(round(rest, 6)) + 1)


async def recent(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> Recent:
    """The hits of about the last ``limit.window``, without counting one (see ``Recent``)."""
    start = window_start(now, limit)
    current = await _hits(conn, limit, key, start)
    return Recent(limit, now, current, await _hits(conn, limit, key, start - limit.window))


async def _hits(conn: AsyncConnection, limit: Limit, key: str, start: datetime) -> int:
    hits = await conn.scalar(
        sa.select(rate_limits.c.hits).where(
            rate_limits.c.bucket == _bucket(limit, key), rate_limits.c.window_start == start
        )
    )
    return int(hits or 0)


async def enforce(engine: AsyncEngine, limit: Limit, key: str, now: datetime, max_hits: int | None = None) -> None:
    """Count one hit and refuse (429) when over the limit."""
    if await hit(engine, limit, key, now) > (max_hits if max_hits is not None else limit.max_hits):
        raise RateLimited(limit, now)


async def prune(engine: AsyncEngine, before: datetime) -> int:
    """Forget windows that started before ``before`` (keep at least two of the longest window)."""
    async with engine.begin() as conn:
        result = await conn.execute(sa.delete(rate_limits).where(rate_limits.c.window_start < before))
    return int(result.rowcount)
