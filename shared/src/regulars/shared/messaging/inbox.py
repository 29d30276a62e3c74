"""The idempotent inbox: a consumer's effect and its record commit together."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.contracts.events import Event
from regulars.shared.db.tables import inbox


async def record_in_inbox(conn: AsyncConnection, consumer: str, event: Event) -> bool:
    """True the first time ``consumer`` sees ``event``; False for a redelivery.

    Insert-on-conflict, never check-then-insert: a concurrent redelivery waits on
    the row lock and then finds the conflict.
    """
    result = await conn.execute(
        insert(inbox)
        .values(consumer=consumer, event_id=event.event_id, routing_key=event.routing_key)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return result.first() is not None


async def processed_count(conn: AsyncConnection, consumer: str) -> int:
    return int((await conn.execute(sa.select(sa.func.count()).where(inbox.c.consumer == consumer))).scalar_one())
