"""Waiting for something that happens asynchronously (an event consumed, a mail sent)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0, every: float = 0.1) -> Any:
    """The first truthy answer of ``check``, polled every ``every`` seconds; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(every)


def eventually_blocking(check: Callable[[], Any], timeout: float = 20.0, every: float = 0.1) -> Any:
    """``eventually`` for tests that are not async (subprocesses, blocking HTTP): the first truthy answer."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


async def listening(engine: AsyncEngine, channel: str) -> bool:
    """Whether a session of the engine's database LISTENs on ``channel``: a NOTIFY there now wakes it."""
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND state = 'idle' AND query = :listen"
            ),
            {"listen": f'LISTEN "{channel}"'},
        )
    return bool(found)
