"""The benchmark's own event, tables and consumer.

The event registers itself in ``EVENT_REGISTRY`` when this module is imported,
which happens only in the benchmark's process: it is not a contract of the
system and is not loaded by ``load_all_contracts``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from regulars.shared.contracts.events import Event
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.consumer import EventConsumer

CONSUMER_NAME = "bench.effects"


class BenchSampleRecorded(Event):
    """A sample was recorded; ``committed_at`` is stamped just before the producer's commit."""

    routing_key: ClassVar[str] = "bench.sample.recorded.v1"

    sample_id: int
    committed_at: datetime


metadata = sa.MetaData()

# The producer's state change: one row per event, committed with its outbox row.
samples = sa.Table(
    "bench_samples",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

# The consumer's effect. Deliberately no unique constraint on event_id: only the
# inbox stands between a redelivery and a second effect, so a duplicate shows up
# here as a second row and fails the exactly-once check.
effects = sa.Table(
    "bench_effects",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("sample_id", sa.BigInteger, nullable=False),
    sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


def make_consumer() -> EventConsumer:
    consumer = EventConsumer(CONSUMER_NAME)

    @consumer.on(BenchSampleRecorded)
    async def apply(event: BenchSampleRecorded, uow: UnitOfWork) -> None:
        # Same process clock as the producer's stamp (both are datetime.now in this process).
        await uow.conn.execute(
            sa.insert(effects).values(
                event_id=event.event_id,
                sample_id=event.sample_id,
                committed_at=event.committed_at,
                applied_at=datetime.now(UTC),
            )
        )

    return consumer


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (``fraction`` in 0..1)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary_ms(latencies_s: list[float]) -> dict[str, float]:
    values = sorted(latencies_s)
    return {
        "p50": round(percentile(values, 0.50) * 1000, 1),
        "p90": round(percentile(values, 0.90) * 1000, 1),
        "p99": round(percentile(values, 0.99) * 1000, 1),
        "max": round((values[-1] if values else math.nan) * 1000, 1),
    }
