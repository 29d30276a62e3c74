"""Writing events to the outbox, inside the caller's transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.contracts.events import Event
from regulars.shared.db.tables import outbox

# NOTIFY is scoped to a database and each service has its own, so one name serves all.
OUTBOX_CHANNEL = "regulars_outbox"


async def add_to_outbox(conn: AsyncConnection, event: Event) -> None:
    """Store ``event`` for publication; it is published only if the transaction commits."""
    await conn.execute(
        sa.insert(outbox).values(
            event_id=event.event_id,
            routing_key=event.routing_key,
            payload=event.model_dump(mode="json"),
            correlation_id=event.correlation_id,
        )
    )
    # Delivered to listeners at commit, never for a rolled-back transaction.
    await conn.execute(sa.select(sa.func.pg_notify(OUTBOX_CHANNEL, "")))
