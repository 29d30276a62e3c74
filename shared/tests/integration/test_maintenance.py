"""The prune-messaging job keeps what is still needed and deletes the rest."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.tables import idempotency_keys, inbox, outbox
from regulars.shared.messaging.maintenance import prune_messaging
from regulars.shared.settings import Settings

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def outbox_row(created: datetime, published: datetime | None) -> dict[str, object]:
    return {
        "event_id": uuid.uuid4(),
        "routing_key": "testing.sample.recorded.v1",
        "payload": {},
        "correlation_id": "c",
        "created_at": created,
        "published_at": published,
    }


async def test_prune_messaging_deletes_only_old_finished_rows(scratch_engine: AsyncEngine) -> None:
    old = NOW - timedelta(days=40)
    async with scratch_engine.begin() as conn:
        await conn.execute(
            sa.insert(outbox),
            [
                outbox_row(old, old),  # published long ago: deleted
                outbox_row(old, None),  # never published: kept, whatever its age
                outbox_row(NOW - timedelta(days=1), NOW - timedelta(days=1)),  # recent: kept
            ],
        )
        await conn.execute(
            sa.insert(inbox),
            [
                {"consumer": "c", "event_id": uuid.uuid4(), "routing_key": "k", "processed_at": old},
                {"consumer": "c", "event_id": uuid.uuid4(), "routing_key": "k", "processed_at": NOW},
            ],
        )
        await conn.execute(
            sa.insert(idempotency_keys),
            [
                {"scope": "s", "key": "old", "request_hash": "h", "created_at": NOW - timedelta(hours=25)},
                {"scope": "s", "key": "new", "request_hash": "h", "created_at": NOW - timedelta(hours=1)},
            ],
        )
    result = await prune_messaging(scratch_engine, Settings(), NOW)
    assert result == {"outbox_deleted": 1, "inbox_deleted": 1, "idempotency_keys_deleted": 1}
    async with scratch_engine.connect() as conn:
        left = (await conn.execute(sa.select(outbox.c.published_at))).scalars().all()
        keys = (await conn.execute(sa.select(idempotency_keys.c.key))).scalars().all()
    assert sorted(left, key=lambda v: v or NOW) == [NOW - timedelta(days=1), None]
    assert keys == ["new"]
