"""Rate limits for any service: counters in PostgreSQL, shared by every replica.

A ``Limit`` names a bucket kind (``login-ip``, ``gift-card-code-device``…), how many hits
it allows and per how long. A bucket is that kind plus a key made with ``bucket_key`` from
what is limited — an address, a device, a target (an account, a gift card), or a pair —
hashed, so emails and addresses are never stored in clear. The table is
``regulars.shared.db.tables.rate_limits``; a service that wants limits creates it in a
migration with ``create_rate_limits_table`` and prunes it in a periodic job with ``prune``.

Every limit holds in any span of its window, not per calendar window: hits are kept in
short slices (a minute by default), and a slice counts while any part of it is inside the
last window. A fixed window would let up to twice the limit through across its edge, and a
test of a limit would then fail when it happens to run at the edge (at :00 for an hourly
one); counting whole slices errs, by at most one slice, on the safe side.

- ``enforce``: count one hit and refuse with ``RateLimited`` (a domain error, answered 429
  with ``Retry-After``: when enough slices age out) beyond the limit. Use it before the work
  it guards: the hit commits at once, so a request that then fails (a wrong password, a
  wrong gift-card code) still counts.
- ``hit`` / ``count``: count one hit and get the hits of the last window (a ``Recent``),
  for callers that decide themselves (a quiet cap: answer the same but send nothing more).
- ``recent``: the hits of the last window without counting one (a ceiling on failures).

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
from regulars.shared.domain_errors import TooManyRequests

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Limit:
    name: str  # the bucket kind, unique per service
    max_hits: int
    window: timedelta
    slices: int = 0  # counters per window; 0: one a minute (one for a window of a minute or less)

    @property
    def slice(self) -> timedelta:
        return self.window / (self.slices or max(1, self.window // MINUTE))


class RateLimited(TooManyRequests):
    """Over ``limit`` (429 with ``Retry-After``): the seconds until it lets a hit through again."""

    def __init__(
        self,
        limit: Limit,
        now: datetime,
        *,
        code: str = "rate_limited",
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        retry_after = retry_after or int(limit.window.total_seconds())
        minutes = max(1, math.ceil(retry_after / 60))
        text = message or f"Too many attempts; try again within {minutes} minutes."
        super().__init__(code, text, retry_after)


def bucket_key(*parts: object) -> str:
    """A bucket name that does not store emails or addresses in clear."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def window_start(now: datetime, limit: Limit) -> datetime:
    """The start of the slice ``now`` falls in."""
    size = limit.slice.total_seconds()
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=elapsed - elapsed % size)


def _bucket(limit: Limit, key: str) -> str:
    return f"{limit.name}:{key}"


@dataclass(frozen=True)
class Recent:
    """The hits of the last ``window`` seen at ``now``: the slices any part of which is inside it."""

    limit: Limit
    now: datetime
    slices: tuple[tuple[datetime, int], ...]  # (slice start, hits), oldest first

    @property
    def total(self) -> int:
        return sum(hits for _start, hits in self.slices)

    def over(self, max_hits: int | None = None) -> bool:
        """Whether another hit would be one too many (``max_hits``: another allowance than the limit's)."""
        return self.total >= (self.limit.max_hits if max_hits is None else max_hits)

    def retry_after(self, max_hits: int | None = None) -> int:
        """The first whole second at which another hit is allowed, if nothing more is counted."""
        allowed = self.limit.max_hits if max_hits is None else max_hits
        left, ages_out = self.total, self.now
        for start, hits in self.slices:
            if left < allowed:
                break
            left -= hits
            # A slice stops counting once its end is a whole window ago.
            ages_out = start + self.limit.slice + self.limit.window
        seconds = (ages_out - self.now).total_seconds()
        return max(1, math.floor(round(seconds, 6)) + 1)


async def hit(engine: AsyncEngine, limit: Limit, key: str, now: datetime) -> Recent:
    """Count one hit, committed at once; the hits of the last window, this one included."""
    async with engine.begin() as conn:
        return await count(conn, limit, key, now)


async def count(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> Recent:
    """``hit`` inside the caller's transaction (which must commit before the guarded work)."""
    values = {"bucket": _bucket(limit, key), "window_start": window_start(now, limit), "hits": 1}
    # The upsert locks the slice's row: concurrent hits on one bucket are counted one after the other.
    await conn.execute(
        insert(rate_limits)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[rate_limits.c.bucket, rate_limits.c.window_start],
            set_={"hits": rate_limits.c.hits + 1},
        )
    )
    return await recent(conn, limit, key, now)


async def recent(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> Recent:
    """Every hit of the last ``limit.window``, without counting one (see ``Recent``)."""
    oldest = now - limit.window - limit.slice
    rows = await conn.execute(
        sa.select(rate_limits.c.window_start, rate_limits.c.hits)
        .where(rate_limits.c.bucket == _bucket(limit, key), rate_limits.c.window_start > oldest)
        .order_by(rate_limits.c.window_start)
    )
    return Recent(limit, now, tuple((row.window_start, int(row.hits)) for row in rows))


async def enforce(engine: AsyncEngine, limit: Limit, key: str, now: datetime) -> None:
    """Count one hit and refuse (429) when over the limit."""
    counted = await hit(engine, limit, key, now)
    if counted.total > limit.max_hits:
        raise RateLimited(limit, now, retry_after=counted.retry_after())


async def prune(engine: AsyncEngine, before: datetime) -> int:
    """Forget windows that started before ``before`` (keep at least two of the longest window)."""
    async with engine.begin() as conn:
        result = await conn.execute(sa.delete(rate_limits).where(rate_limits.c.window_start < before))
    return int(result.rowcount)
