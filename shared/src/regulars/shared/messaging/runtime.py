"""Runs a service's messaging: the outbox relay and its consumers (FastStream).

Starting never fails because RabbitMQ is down: the runtime keeps trying in the
background, and the service reports not-ready until it is connected. Once
connected, aio-pika's robust connection reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aio_pika
import structlog
from faststream import AckPolicy
from faststream.rabbit import QueueType, RabbitBroker, RabbitMessage, RabbitQueue
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.logging import describe_error
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.messaging.relay import OutboxRelay
from regulars.shared.messaging.topology import declare_consumer_queue, declare_events_archive
from regulars.shared.settings import Settings

log = structlog.get_logger(__name__)


async def _raw_body(message: Any) -> bytes:
    # The consumer parses and validates itself, so an undecodable body is
    # rejected (dead-lettered) instead of failing inside the framework.
    return bytes(message.body)


class MessagingRuntime:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        consumers: list[EventConsumer],
        *,
        relay: bool = True,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._consumers = consumers
        self.relay = (
            OutboxRelay(
                engine,
                settings.amqp_url,
                batch_size=settings.relay_batch_size,
                poll_seconds=settings.relay_poll_seconds,
                max_backoff_seconds=settings.relay_max_backoff_seconds,
            )
            if relay
            else None
        )
        self.broker: RabbitBroker | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if self._consumers:
            self._tasks.append(asyncio.create_task(self._connect_consumers(), name="consumers"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.broker is not None:
            await self.broker.stop()
            self.broker = None

    async def ready(self) -> bool:
        if self.relay is not None and not self.relay.connected:
            return False
        if self._consumers:
            return self.broker is not None and bool(await self.broker.ping(timeout=2.0))
        return True

    async def _connect_consumers(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._start_broker()
                log.info("consumers_started", queues=[c.name for c in self._consumers])
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumers_connect_failed", error=describe_error(exc), retry_in=delay)
                if self.broker is not None:
                    with contextlib.suppress(Exception):
                        await self.broker.stop()
                    self.broker = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _start_broker(self) -> None:
        await declare_queues(self._settings, self._consumers)
        broker = RabbitBroker(self._settings.amqp_url, logger=None, graceful_timeout=10.0)
        for consumer in self._consumers:
            subscribe(broker, consumer, self._engine)
        self.broker = broker
        await broker.start()


async def declare_queues(settings: Settings, consumers: list[EventConsumer]) -> None:
    """Declare the exchanges and the consumers' queues (``migrate`` does this at deploy).

    Declaring at deploy, before any service publishes, matters: an event published
    while only some of its queues exist would reach those and silently miss the rest.
    """
    connection = await aio_pika.connect(settings.amqp_url, timeout=10)
    try:
        channel = await connection.channel()
        await declare_events_archive(channel)
        for consumer in consumers:
            await declare_consumer_queue(channel, consumer.queue, settings.delivery_limit)
    finally:
        await connection.close()


def subscribe(broker: RabbitBroker, consumer: EventConsumer, engine: AsyncEngine) -> None:
    queue = RabbitQueue(consumer.name, queue_type=QueueType.QUORUM, declare=False)

    @broker.subscriber(queue, ack_policy=AckPolicy.NACK_ON_ERROR, decoder=_raw_body)
    async def on_message(body: bytes, message: RabbitMessage) -> None:
        raw = message.raw_message
        delivery_count = int(str((raw.headers or {}).get("x-delivery-count") or 0))
        # The relay sets ``type`` to the event's routing key; it survives a replay from
        # the dead-letter queue, where the delivery's routing key is the queue's name.
        await consumer.handle(engine, raw.type or raw.routing_key or "", raw.body, delivery_count)
