"""The outbox relay: publishes committed events to RabbitMQ, at least once.

Woken by LISTEN/NOTIFY (and a slow poll as a safety net), it claims a batch of
unpublished rows with ``FOR UPDATE SKIP LOCKED`` (so several replicas never
publish the same row at the same time), publishes them concurrently as persistent
messages with publisher confirms and ``mandatory`` (an unroutable message is a
failure, not a silent drop), and marks them published in the same transaction.
Failed rows are retried with exponential backoff. If the relay dies mid-batch the
transaction rolls back and the rows are published by the next claim; consumers'
inboxes absorb the resulting duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import sqlalchemy as sa
import structlog
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from prometheus_client import Counter, Gauge
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.notify import listen_forever
from regulars.shared.db.tables import outbox
from regulars.shared.logging import describe_error
from regulars.shared.messaging.outbox import OUTBOX_CHANNEL
from regulars.shared.messaging.topology import declare_events_exchange

log = structlog.get_logger(__name__)

PUBLISHED = Counter("regulars_outbox_published_total", "Events published from the outbox")
FAILED = Counter("regulars_outbox_publish_failures_total", "Failed publish attempts")
BACKLOG = Gauge("regulars_outbox_backlog", "Unpublished outbox rows")
OLDEST = Gauge("regulars_outbox_oldest_age_seconds", "Age of the oldest unpublished row")


def backoff(attempts: int, maximum: float) -> float:
    """Seconds to wait before attempt number ``attempts + 1``."""
    return float(min(maximum, 0.25 * 2 ** min(attempts, 20)))


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        amqp_url: str,
        *,
        batch_size: int = 100,
        poll_seconds: float = 2.0,
        max_backoff_seconds: float = 10.0,
        publish_timeout_seconds: float = 10.0,
    ) -> None:
        self._engine = engine
        self._amqp_url = amqp_url
        self._batch_size = batch_size
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._timeout = publish_timeout_seconds
        self._wake = asyncio.Event()
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def run(self) -> None:
        """Publish until cancelled."""
        # Catch up with anything committed while not listening, at every (re)connection.
        listener = asyncio.create_task(
            listen_forever(self._engine, OUTBOX_CHANNEL, self._wake, on_connect=self._wake.set), name="outbox-listen"
        )
        try:
            while True:
                try:
                    published = await self.publish_batch()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox_relay_failed")
                    published = 0
                    await asyncio.sleep(1.0)
                if published >= self._batch_size:
                    continue  # more may be waiting
                await self._update_backlog_metrics()
                await self._keep_connected()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
                self._wake.clear()
        finally:
            listener.cancel()
            await self.close()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
        self._exchange = None

    async def publish_batch(self) -> int:
        """Claim and publish one batch; returns how many were published."""
        # The real clock, not regulars.shared.clock: next_attempt_at is compared with PostgreSQL's now().
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(*outbox.c["id", "event_id", "routing_key", "payload", "correlation_id", "attempts"])
                    .where(outbox.c.published_at.is_(None), outbox.c.next_attempt_at <= now)
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            try:
                exchange = await self._get_exchange()
                results: list[BaseException | None] = await asyncio.gather(
                    *(self._publish(exchange, row) for row in rows), return_exceptions=True
                )
            except Exception as exc:  # broker unreachable: every row failed
                results = [exc] * len(rows)
            done = [row.id for row, err in zip(rows, results, strict=True) if err is None]
            if done:
                await conn.execute(sa.update(outbox).where(outbox.c.id.in_(done)).values(published_at=sa.func.now()))
            for row, err in zip(rows, results, strict=True):
                if err is None:
                    continue
                FAILED.inc()
                log.warning(
                    "outbox_publish_failed",
                    event_id=str(row.event_id),
                    routing_key=row.routing_key,
                    attempts=row.attempts + 1,
                    error=describe_error(err),
                )
                await conn.execute(
                    sa.update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        last_error=describe_error(err)[:2000],
                        next_attempt_at=now + timedelta(seconds=backoff(row.attempts, self._max_backoff)),
                    )
                )
            if len(done) < len(rows):
                # A failure often means the connection is gone; start afresh next time.
                await self.close()
        PUBLISHED.inc(len(done))
        return len(done)

    async def _publish(self, exchange: AbstractExchange, row: Any) -> None:
        body = json.dumps(row.payload, separators=(",", ":")).encode()
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(row.event_id),
            correlation_id=row.correlation_id,
            type=row.routing_key,
            headers={
                "x-correlation-id": row.correlation_id,
                "x-causation-id": row.payload.get("causation_id") or "",
            },
        )
        # With publisher confirms and on_return_raises, this returns only once the
        # broker has taken responsibility, and raises for NO_ROUTE returns.
        await exchange.publish(message, routing_key=row.routing_key, mandatory=True, timeout=self._timeout)

    async def _get_exchange(self) -> AbstractExchange:
        if self._exchange is not None and self.connected:
            return self._exchange
        await self.close()
        self._connection = await aio_pika.connect_robust(self._amqp_url, timeout=self._timeout)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await declare_events_exchange(channel)
        return self._exchange

    async def _keep_connected(self) -> None:
        """Connect while idle too, so readiness tells the truth before the first event."""
        if self.connected:
            return
        try:
            await self._get_exchange()
        except Exception as exc:
            log.warning("relay_connect_failed", error=describe_error(exc))

    async def _update_backlog_metrics(self) -> None:
        try:
            async with self._engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                            outbox.c.published_at.is_(None)
                        )
                    )
                ).one()
        except Exception:
            return
        BACKLOG.set(row[0])
        OLDEST.set((datetime.now(UTC) - row[1]).total_seconds() if row[1] else 0)
