"""LISTEN on a PostgreSQL channel for as long as the task runs, across restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.engine import asyncpg_dsn
from regulars.shared.logging import describe_error

log = structlog.get_logger(__name__)


async def listen_forever(
    engine: AsyncEngine, channel: str, wake: asyncio.Event, on_connect: Callable[[], None] | None = None
) -> None:
    """Set ``wake`` on every NOTIFY to ``channel`` of the engine's database; never returns.

    The connection is re-opened when PostgreSQL restarts. ``on_connect`` runs after
    each (re)connection, so a caller can catch up with what was committed while
    nobody was listening.
    """
    dsn = asyncpg_dsn(engine.url.render_as_string(hide_password=False))
    while True:
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _c, lost=lost: lost.set())
            await conn.add_listener(channel, lambda *_: wake.set())
            if on_connect is not None:
                on_connect()
            await lost.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("listen_failed", channel=channel, error=describe_error(exc))
        finally:
            if conn is not None and not conn.is_closed():
                conn.terminate()
        await asyncio.sleep(1.0)
