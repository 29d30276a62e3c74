"""Helpers for the messaging tests: a test event, queues in the run's vhost."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.events import Event
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.relay import OutboxRelay
from regulars.shared.messaging.topology import ConsumerQueue, declare_consumer_queue
from regulars.shared.settings import Settings
from regulars.shared.testing.waiting import eventually


class SampleRecorded(Event):
    """An event that exists only in these tests."""

    routing_key = "testing.sample.recorded.v1"
    n: int
    fail: bool = False


class Unbound(Event):
    routing_key = "testing.nobody.listens.v1"


ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")


async def commit_samples(engine: AsyncEngine, numbers: range | list[int], **fields: Any) -> list[SampleRecorded]:
    events = [SampleRecorded(org_id=ORG, n=n, **fields) for n in numbers]
    async with UnitOfWork(engine) as uow:
        for event in events:
            await uow.publish(event)
    return events


def make_relay(engine: AsyncEngine, settings: Settings) -> OutboxRelay:
    return OutboxRelay(engine, settings.amqp_url, poll_seconds=0.2, max_backoff_seconds=0.5)


async def unpublished(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL")) or 0)


@pytest.fixture
async def amqp(test_settings: Settings) -> AsyncIterator[AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(test_settings.amqp_url)
    yield connection
    await connection.close()


@pytest.fixture
async def channel(amqp: AbstractRobustConnection) -> AsyncIterator[AbstractChannel]:
    ch = await amqp.channel()
    yield ch
    await ch.close()


@pytest.fixture
async def sample_queue(channel: AbstractChannel, test_settings: Settings) -> ConsumerQueue:
    """A fresh quorum queue bound to the sample event, with its dead-letter queue."""
    queue = ConsumerQueue(f"test.{uuid.uuid4().hex[:8]}", (SampleRecorded.routing_key,))
    await declare_consumer_queue(channel, queue, test_settings.delivery_limit)
    return queue


async def drain(
    channel: AbstractChannel, queue_name: str, expected: int, timeout: float = 20.0
) -> list[AbstractIncomingMessage]:
    """Read messages until ``expected`` arrived (or time runs out); acks them."""
    queue = await channel.get_queue(queue_name, ensure=False)
    got: list[AbstractIncomingMessage] = []

    async def all_arrived() -> bool:
        while len(got) < expected:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                return False
            got.append(message)
        return True

    with contextlib.suppress(AssertionError):  # the caller's assert shows what is missing
        await eventually(all_arrived, timeout=timeout, every=0.05)
    return got
