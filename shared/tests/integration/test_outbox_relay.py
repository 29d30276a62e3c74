"""The outbox and its relay against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator

import aio_pika
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.outbox import OUTBOX_CHANNEL
from regulars.shared.messaging.relay import OutboxRelay
from regulars.shared.messaging.topology import (
    ARCHIVE_ARGUMENTS,
    EVENTS_ARCHIVE,
    ConsumerQueue,
    declare_consumer_queue,
)
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import create_vhost, delete_vhost, isolated_settings
from regulars.shared.testing.waiting import eventually, listening

from .conftest import ORG, SampleRecorded, Unbound, commit_samples, drain, make_relay, unpublished

pytestmark = pytest.mark.integration


async def test_rolled_back_transaction_publishes_nothing(
    scratch_engine: AsyncEngine, test_settings: Settings, channel: AbstractChannel, sample_queue: ConsumerQueue
) -> None:
    with contextlib.suppress(RuntimeError):
        async with UnitOfWork(scratch_engine) as uow:
            await uow.publish(SampleRecorded(org_id=ORG, n=1))
            raise RuntimeError("the business change failed")
    relay = make_relay(scratch_engine, test_settings)
    assert await relay.publish_batch() == 0
    await relay.close()
    async with scratch_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM outbox")) == 0
    assert await drain(channel, sample_queue.name, expected=1, timeout=1.0) == []


async def test_event_committed_while_relay_is_down_is_delivered_when_it_returns(
    scratch_engine: AsyncEngine, test_settings: Settings, channel: AbstractChannel, sample_queue: ConsumerQueue
) -> None:
    # No relay runs while the change commits: the same as a relay killed between commit and publish.
    events = await commit_samples(scratch_engine, range(5))
    assert await unpublished(scratch_engine) == 5
    assert await drain(channel, sample_queue.name, expected=1, timeout=0.5) == []

    relay = make_relay(scratch_engine, test_settings)
    task = asyncio.create_task(relay.run())
    try:
        messages = await drain(channel, sample_queue.name, expected=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert sorted(m.message_id or "" for m in messages) == sorted(str(e.event_id) for e in events)
    for message in messages:
        assert message.delivery_mode == 2  # persistent
        assert message.content_type == "application/json"
        body = json.loads(message.body)
        assert message.correlation_id == body["correlation_id"]
        assert message.routing_key == SampleRecorded.routing_key
    assert await unpublished(scratch_engine) == 0


async def test_relay_is_woken_by_notify_without_waiting_for_the_poll(
    scratch_engine: AsyncEngine, test_settings: Settings, channel: AbstractChannel, sample_queue: ConsumerQueue
) -> None:
    relay = make_relay(scratch_engine, test_settings)
    relay._poll = 30.0  # only NOTIFY can wake it within the test's time
    task = asyncio.create_task(relay.run())
    try:
        # Connected after its first pass found nothing, and listening: only NOTIFY can wake it now.
        await eventually(lambda: _connected_and_listening(relay, scratch_engine), timeout=10)
        await commit_samples(scratch_engine, [1])
        assert len(await drain(channel, sample_queue.name, expected=1, timeout=5.0)) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _connected_and_listening(relay: OutboxRelay, engine: AsyncEngine) -> bool:
    return relay.connected and await listening(engine, OUTBOX_CHANNEL)


@pytest.fixture
def bare_vhost() -> Iterator[Settings]:
    """A vhost where no topology was declared (the run's own has the events archive)."""
    settings = isolated_settings()
    create_vhost(settings)
    yield settings
    delete_vhost(settings)


async def test_unroutable_event_is_a_failure_retried_until_a_queue_exists(
    scratch_engine: AsyncEngine, bare_vhost: Settings
) -> None:
    async with UnitOfWork(scratch_engine) as uow:
        await uow.publish(Unbound(org_id=ORG))
    relay = make_relay(scratch_engine, bare_vhost)
    connection = await aio_pika.connect(bare_vhost.amqp_url)
    channel = await connection.channel()
    try:
        assert await relay.publish_batch() == 0
        async with scratch_engine.connect() as conn:
            row = (await conn.execute(sa.text("SELECT attempts, last_error, published_at FROM outbox"))).one()
        assert row.attempts == 1
        assert "NO_ROUTE" in row.last_error
        assert row.published_at is None

        queue = ConsumerQueue(f"test.unbound.{id(row)}", (Unbound.routing_key,))
        await declare_consumer_queue(channel, queue, bare_vhost.delivery_limit)
        assert await eventually(relay.publish_batch, timeout=10) == 1  # once its backoff is over
        assert len(await drain(channel, queue.name, expected=1)) == 1
    finally:
        await relay.close()
        await connection.close()


async def test_every_event_reaches_the_archive_even_when_no_service_consumes_it(
    scratch_engine: AsyncEngine, test_settings: Settings, migrated: Settings
) -> None:
    event = Unbound(org_id=ORG)
    async with UnitOfWork(scratch_engine) as uow:
        await uow.publish(event)
    relay = make_relay(scratch_engine, test_settings)
    try:
        assert await relay.publish_batch() == 1
    finally:
        await relay.close()
    connection = await aio_pika.connect(test_settings.amqp_url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=100)
        archive = await channel.declare_queue(EVENTS_ARCHIVE, durable=True, arguments=ARCHIVE_ARGUMENTS)
        found: list[str] = []

        async def read_until_found() -> None:
            async with archive.iterator(arguments={"x-stream-offset": "first"}) as messages:
                async for message in messages:
                    await message.ack()
                    found.append(message.message_id or "")
                    if str(event.event_id) in found:
                        return

        await asyncio.wait_for(read_until_found(), timeout=20)
        assert str(event.event_id) in found
    finally:
        await connection.close()


async def test_two_relays_publish_each_event_once(
    scratch_engine: AsyncEngine, test_settings: Settings, channel: AbstractChannel, sample_queue: ConsumerQueue
) -> None:
    events = await commit_samples(scratch_engine, range(400))
    relays = [make_relay(scratch_engine, test_settings) for _ in range(2)]
    for relay in relays:
        relay._batch_size = 25
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        messages = await drain(channel, sample_queue.name, expected=400)
        extra = await drain(channel, sample_queue.name, expected=1, timeout=1.0)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ids = [m.message_id for m in messages + extra]
    assert len(ids) == 400
    assert set(ids) == {str(e.event_id) for e in events}
