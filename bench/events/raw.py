"""The baseline: plain aio-pika publishes to the same broker, the way the relay publishes.

Same exchange, a quorum queue like the consumer's, persistent messages,
``mandatory`` with publisher confirms (``on_return_raises``), and the same
number of publishes in flight as the relay's batch size. No database at all.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika

from regulars.shared.messaging.topology import declare_events_exchange

RAW_QUEUE = "bench.raw"
RAW_ROUTING_KEY = "bench.raw.published.v1"


async def raw_publish(amqp_url: str, events: int, window: int) -> dict[str, Any]:
    connection = await aio_pika.connect_robust(amqp_url, timeout=10)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await declare_events_exchange(channel)
        queue = await channel.declare_queue(RAW_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, routing_key=RAW_ROUTING_KEY)
        await queue.purge()
        org_id = str(uuid.uuid4())

        async def publish(number: int) -> None:
            event_id = str(uuid.uuid4())
            payload = {
                "event_id": event_id,
                "occurred_at": datetime.now(UTC).isoformat(),
                "correlation_id": uuid.uuid4().hex,
                "causation_id": None,
                "org_id": org_id,
                "business_id": None,
                "sample_id": number,
                "committed_at": datetime.now(UTC).isoformat(),
            }
            message = aio_pika.Message(
                json.dumps(payload, separators=(",", ":")).encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=event_id,
                type=RAW_ROUTING_KEY,
            )
            await exchange.publish(message, routing_key=RAW_ROUTING_KEY, mandatory=True, timeout=10)

        started = time.perf_counter()
        for first in range(1, events + 1, window):
            await asyncio.gather(*(publish(n) for n in range(first, min(first + window, events + 1))))
        seconds = time.perf_counter() - started
        # Every publish was confirmed; the queue should now hold exactly that many.
        queued = await queue_depth(amqp_url, RAW_QUEUE, at_least=events)
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return {
        "events": events,
        "window": window,
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds, 1) if seconds > 0 else 0.0,
        "queued": queued,
    }


async def queue_depth(amqp_url: str, name: str, at_least: int = 0) -> int:
    """Messages in a queue, asked on a plain connection (a robust channel caches declarations).

    Waits up to a second for ``at_least`` messages, in case the count lags behind.
    """
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        channel = await connection.channel()
        depth = 0
        for _ in range(20):
            queue = await channel.declare_queue(name, passive=True)
            depth = int(queue.declaration_result.message_count or 0)
            if depth >= at_least:
                break
            await asyncio.sleep(0.05)
        return depth
    finally:
        await connection.close()


async def broker_version(amqp_url: str) -> str:
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        properties = connection.transport.connection.server_properties if connection.transport else {}
        version = properties.get("version", "?")
        return version.decode() if isinstance(version, bytes) else str(version)
    finally:
        await connection.close()
