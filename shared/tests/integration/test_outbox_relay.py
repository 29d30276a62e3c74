"""The outbox and its relay against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.topology import ConsumerQueue, declare_consumer_queue
from regulars.shared.settings import Settings

from .conftest import ORG, SampleRecorded, Unbound, commit_samples, drain, eventually, make_relay, unpublished

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
        await eventually(lambda: _true(relay.connected), timeout=10)
        await asyncio.sleep(0.3)  # let it reach its wait
        await commit_samples(scratch_engine, [1])
        assert len(await drain(channel, sample_queue.name, expected=1, timeout=5.0)) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _true(value: bool) -> bool:
    return value


async def test_unroutable_event_is_a_failure_retried_until_a_queue_exists(
    scratch_engine: AsyncEngine, test_settings: Settings, channel: AbstractChannel
) -> None:
    async with UnitOfWork(scratch_engine) as uow:
        await uow.publish(Unbound(org_id=ORG))
    relay = make_relay(scratch_engine, test_settings)
    try:
        assert await relay.publish_batch() == 0
        async with scratch_engine.connect() as conn:
            row = (await conn.execute(sa.text("SELECT attempts, last_error, published_at FROM outbox"))).one()
        assert row.attempts == 1
        assert "NO_ROUTE" in row.last_error
        assert row.published_at is None

        queue = ConsumerQueue(f"test.unbound.{id(row)}", (Unbound.routing_key,))
        await declare_consumer_queue(channel, queue, test_settings.delivery_limit)
        await asyncio.sleep(0.6)  # past the backoff
        assert await relay.publish_batch() == 1
        assert len(await drain(channel, queue.name, expected=1)) == 1
    finally:
        await relay.close()


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
