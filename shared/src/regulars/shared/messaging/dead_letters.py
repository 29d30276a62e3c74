"""Operator tools for dead letters: count them, and replay them after a fix.

A replayed message goes back to the one queue that gave up on it (through the
default exchange), not to every consumer of its routing key; the inbox would make
a second delivery harmless anyway.
"""

from __future__ import annotations

import aio_pika

from regulars.shared.messaging.consumer import EventConsumer


async def count_dead_letters(amqp_url: str, consumers: list[EventConsumer]) -> dict[str, int]:
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        channel = await connection.channel()
        counts = {}
        for consumer in consumers:
            queue = await channel.declare_queue(consumer.queue.dead_letter_queue, passive=True)
            counts[queue.name] = int(queue.declaration_result.message_count or 0)
        return counts
    finally:
        await connection.close()


async def replay_dead_letters(amqp_url: str, consumer: EventConsumer, limit: int | None = None) -> int:
    """Move up to ``limit`` dead letters of ``consumer`` back to its queue; returns how many."""
    connection = await aio_pika.connect(amqp_url, timeout=10)
    moved = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        dead = await channel.declare_queue(consumer.queue.dead_letter_queue, passive=True)
        while limit is None or moved < limit:
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers={**headers, "x-replayed-from": dead.name},
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                ),
                routing_key=consumer.name,
            )
            await message.ack()  # only once the broker confirmed the copy
            moved += 1
        return moved
    finally:
        await connection.close()
