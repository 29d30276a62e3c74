"""Keeping the messaging tables small: a job every service has (``prune-messaging``).

- Published outbox rows are kept 7 days (enough to investigate a delivery), then deleted;
  unpublished rows are never touched.
- Inbox rows are kept 30 days: redeliveries come within minutes or hours, so a
  month is a wide margin for deduplication.
- Idempotency keys are kept 24 hours, as clients are told to retry within that time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.tables import idempotency_keys, inbox, outbox
from regulars.shared.settings import Settings

OUTBOX_KEPT = timedelta(days=7)
INBOX_KEPT = timedelta(days=30)
IDEMPOTENCY_KEPT = timedelta(hours=24)


async def prune_messaging(engine: AsyncEngine, _settings: Settings, as_of: datetime) -> dict[str, Any]:
    async with engine.begin() as conn:
        published = await conn.execute(
            sa.delete(outbox).where(outbox.c.published_at.is_not(None), outbox.c.published_at < as_of - OUTBOX_KEPT)
        )
        handled = await conn.execute(sa.delete(inbox).where(inbox.c.processed_at < as_of - INBOX_KEPT))
        keys = await conn.execute(
            sa.delete(idempotency_keys).where(idempotency_keys.c.created_at < as_of - IDEMPOTENCY_KEPT)
        )
    return {
        "outbox_deleted": published.rowcount,
        "inbox_deleted": handled.rowcount,
        "idempotency_keys_deleted": keys.rowcount,
    }
