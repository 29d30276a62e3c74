"""The broker's shape, declared once: exchanges, consumer queues, dead letters.

- ``regulars.events``: the durable topic exchange every event is published to.
- ``regulars.dead``: a direct exchange for dead letters; every consumer queue
  ``Q`` dead-letters into ``Q.dead`` (routing key ``Q``), so an operator sees
  which consumer gave up on which message.
- ``regulars.events.archive``: a stream bound to every routing key, keeping the
  last 7 days (at most 1 GiB) of events. Business systems and operators can read or
  replay it from any offset, and it makes an event that no service consumes (yet)
  routable: the relay's ``mandatory`` publish then fails only when the topology
  was never declared, which is exactly the case where publishing would lose it.
- Consumer queues are quorum queues with an explicit ``x-delivery-limit``
  (RabbitMQ 3.10 has no default): a message that keeps failing is dead-lettered
  after that many redeliveries while the others keep flowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

EVENTS_EXCHANGE = "regulars.events"
DEAD_LETTER_EXCHANGE = "regulars.dead"
EVENTS_ARCHIVE = "regulars.events.archive"
ARCHIVE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "stream", "x-max-age": "7D", "x-max-length-bytes": 1024**3}


@dataclass(frozen=True)
class ConsumerQueue:
    name: str
    routing_keys: tuple[str, ...]

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dead"

    def arguments(self, delivery_limit: int) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.name,
        }


async def declare_events_exchange(channel: AbstractChannel) -> AbstractExchange:
    return await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_events_archive(channel: AbstractChannel) -> None:
    events = await declare_events_exchange(channel)
    archive = await channel.declare_queue(EVENTS_ARCHIVE, durable=True, arguments=ARCHIVE_ARGUMENTS)
    await archive.bind(events, routing_key="#")


async def declare_consumer_queue(channel: AbstractChannel, queue: ConsumerQueue, delivery_limit: int) -> None:
    events = await declare_events_exchange(channel)
    dead = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    dlq = await channel.declare_queue(queue.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"})
    await dlq.bind(dead, routing_key=queue.name)
    declared = await channel.declare_queue(queue.name, durable=True, arguments=queue.arguments(delivery_limit))
    for key in queue.routing_keys:
        await declared.bind(events, routing_key=key)
