"""Fixed-window counters in PostgreSQL, shared by every identity replica.

Each check commits in its own short transaction, before the work it guards, so a
request that then fails (wrong password) still counts.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.identity.adapters.tables import rate_limits
from regulars.identity.domain.limits import Limit
from regulars.shared.http.errors import ApiError

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class RateLimited(ApiError):
    def __init__(self, limit: Limit) -> None:
        minutes = max(1, int(limit.window.total_seconds() // 60))
        super().__init__(429, "rate_limited", f"Too many attempts; try again within {minutes} minutes.")


def bucket_key(*parts: object) -> str:
    """A bucket name that does not store emails or addresses in clear."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def window_start(now: datetime, limit: Limit) -> datetime:
    size = limit.window.total_seconds()
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=elapsed - elapsed % size)


async def hit(engine: AsyncEngine, limit: Limit, key: str, now: datetime) -> int:
    """Count one hit, committed at once; the number of hits in the current window, this one included."""
    async with engine.begin() as conn:
        return await count(conn, limit, key, now)


async def count(conn: AsyncConnection, limit: Limit, key: str, now: datetime) -> int:
    """``hit`` inside the caller's transaction (which must commit before the guarded work)."""
    values = {"bucket": f"{limit.name}:{key}", "window_start": window_start(now, limit), "hits": 1}
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
    hits = await conn.scalar(
        sa.select(rate_limits.c.hits).where(
            rate_limits.c.bucket == f"{limit.name}:{key}",
            rate_limits.c.window_start == window_start(now, limit),
        )
    )
    return int(hits or 0)


async def enforce(engine: AsyncEngine, limit: Limit, key: str, now: datetime, max_hits: int | None = None) -> None:
    """Count one hit and refuse (429) when over the limit."""
    if await hit(engine, limit, key, now) > (max_hits if max_hits is not None else limit.max_hits):
        raise RateLimited(limit)


async def prune(engine: AsyncEngine, before: datetime) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(sa.delete(rate_limits).where(rate_limits.c.window_start < before))
    return int(result.rowcount)
