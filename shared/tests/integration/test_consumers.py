"""Consumers on the real broker: inbox idempotency, poison and invalid messages."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.messaging.runtime import MessagingRuntime
from regulars.shared.messaging.topology import EVENTS_EXCHANGE
from regulars.shared.settings import Settings
from regulars.shared.testing.waiting import eventually

from .conftest import ORG, SampleRecorded, drain

pytestmark = pytest.mark.integration

DELIVERY_LIMIT = 2


class Recorder:
    """A consumer whose effect is a row per handled event; counts every attempt."""

    def __init__(self) -> None:
        self.attempts: dict[int, int] = {}
        self.consumer = EventConsumer(f"test.recorder.{uuid.uuid4().hex[:8]}")

        @self.consumer.on(SampleRecorded)
        async def record(event: SampleRecorded, uow: UnitOfWork) -> None:
            self.attempts[event.n] = self.attempts.get(event.n, 0) + 1
            await uow.conn.execute(
                sa.text("INSERT INTO effects (event_id, n) VALUES (:id, :n)"), {"id": event.event_id, "n": event.n}
            )
            if event.fail:
                raise RuntimeError("this message can never be handled")


@pytest.fixture
async def recorder(scratch_engine: AsyncEngine, test_settings: Settings) -> AsyncIterator[Recorder]:
    async with scratch_engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE effects (event_id uuid NOT NULL, n int NOT NULL)"))
    made = Recorder()
    settings = test_settings.model_copy(update={"delivery_limit": DELIVERY_LIMIT})
    runtime = MessagingRuntime(settings, scratch_engine, [made.consumer], relay=False)
    await runtime.start()
    await eventually(runtime.ready)
    yield made
    await runtime.stop()


async def effects(engine: AsyncEngine) -> list[tuple[uuid.UUID, int]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(sa.text("SELECT event_id, n FROM effects ORDER BY n"))).all()]


def handled(recorder: Recorder, outcome: str) -> int:
    """How many deliveries the recorder's consumer has finished with this outcome (its own metric)."""
    labels = {"consumer": recorder.consumer.name, "outcome": outcome}
    return int(REGISTRY.get_sample_value("regulars_events_handled_total", labels) or 0)


async def publish_raw(channel: AbstractChannel, body: bytes, routing_key: str = SampleRecorded.routing_key) -> None:
    exchange = await channel.get_exchange(EVENTS_EXCHANGE)
    await exchange.publish(
        aio_pika.Message(body, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
        routing_key=routing_key,
    )


async def test_same_event_delivered_twice_has_one_effect(
    recorder: Recorder, scratch_engine: AsyncEngine, channel: AbstractChannel
) -> None:
    event = SampleRecorded(org_id=ORG, n=7)
    body = event.model_dump_json().encode()
    await publish_raw(channel, body)
    await publish_raw(channel, body)
    await publish_raw(channel, SampleRecorded(org_id=ORG, n=8).model_dump_json().encode())

    async def all_three_handled() -> bool:
        return handled(recorder, "ok") + handled(recorder, "duplicate") >= 3

    await eventually(all_three_handled)
    assert (handled(recorder, "ok"), handled(recorder, "duplicate")) == (2, 1)
    applied = await effects(scratch_engine)
    assert [n for _, n in applied] == [7, 8]
    assert applied[0][0] == event.event_id
    async with scratch_engine.connect() as conn:
        inbox = await conn.scalar(
            sa.text("SELECT count(*) FROM inbox WHERE consumer = :c"), {"c": recorder.consumer.name}
        )
    assert inbox == 2
    assert recorder.attempts == {7: 1, 8: 1}


async def test_poison_message_is_dead_lettered_after_the_delivery_limit_while_others_flow(
    recorder: Recorder, scratch_engine: AsyncEngine, channel: AbstractChannel
) -> None:
    poison = SampleRecorded(org_id=ORG, n=0, fail=True)
    await publish_raw(channel, poison.model_dump_json().encode())
    for n in range(1, 6):
        await publish_raw(channel, SampleRecorded(org_id=ORG, n=n).model_dump_json().encode())

    dead = await drain(channel, recorder.consumer.queue.dead_letter_queue, expected=1, timeout=30)
    assert len(dead) == 1
    assert json.loads(dead[0].body)["event_id"] == str(poison.event_id)
    assert recorder.attempts[0] == DELIVERY_LIMIT + 1  # first delivery plus the limit's redeliveries

    async def all_good_applied() -> bool:
        return [n for _, n in await effects(scratch_engine)] == [1, 2, 3, 4, 5]

    await eventually(all_good_applied)  # the poison's rolled-back effects never show


@pytest.mark.parametrize(
    "body",
    [b"not json at all", b'{"event_id": "not-a-uuid", "n": "x"}', b"[]"],
    ids=["not-json", "invalid-fields", "wrong-shape"],
)
async def test_invalid_message_is_dead_lettered_at_once(
    recorder: Recorder, scratch_engine: AsyncEngine, channel: AbstractChannel, body: bytes
) -> None:
    await publish_raw(channel, body)
    dead = await drain(channel, recorder.consumer.queue.dead_letter_queue, expected=1, timeout=10)
    assert [m.body for m in dead] == [body]
    assert dead[0].headers.get("x-delivery-count") in (None, 0)  # rejected on the first delivery
    assert recorder.attempts == {}
    assert await effects(scratch_engine) == []


async def test_dead_letters_are_counted_and_replayed_to_their_queue_after_a_fix(
    recorder: Recorder, scratch_engine: AsyncEngine, channel: AbstractChannel, test_settings: Settings
) -> None:
    from regulars.shared.messaging.dead_letters import count_dead_letters, replay_dead_letters

    poison = SampleRecorded(org_id=ORG, n=42, fail=True)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE)
    await exchange.publish(
        aio_pika.Message(poison.model_dump_json().encode(), type=SampleRecorded.routing_key),
        routing_key=SampleRecorded.routing_key,
    )
    dead_name = recorder.consumer.queue.dead_letter_queue

    async def dead_lettered() -> bool:
        return (await count_dead_letters(test_settings.amqp_url, [recorder.consumer]))[dead_name] == 1

    await eventually(dead_lettered, timeout=30)
    assert await effects(scratch_engine) == []

    # "The fix" is deployed: the same event now succeeds.
    original = recorder.consumer.parse

    def fixed(routing_key: str, body: bytes):  # type: ignore[no-untyped-def]
        event, handler = original(routing_key, body)
        return event.model_copy(update={"fail": False}), handler

    recorder.consumer.parse = fixed  # type: ignore[method-assign]
    assert await replay_dead_letters(test_settings.amqp_url, recorder.consumer) == 1

    async def applied() -> bool:
        return [n for _, n in await effects(scratch_engine)] == [42]

    await eventually(applied)
    assert (await count_dead_letters(test_settings.amqp_url, [recorder.consumer]))[dead_name] == 0


async def test_passing_database_trouble_is_ridden_out_without_using_up_redeliveries(
    scratch_engine: AsyncEngine,
) -> None:
    async with scratch_engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE effects (event_id uuid NOT NULL, n int NOT NULL)"))
    made = Recorder()
    made.consumer.transient_base_delay = 0.05
    handler = made.consumer._handlers[SampleRecorded.routing_key][1]
    failures = [ConnectionRefusedError("database restarting"), TimeoutError("no free connection")]

    async def flaky(event: SampleRecorded, uow: UnitOfWork) -> None:
        if failures:
            raise failures.pop(0)
        await handler(event, uow)

    made.consumer._handlers[SampleRecorded.routing_key] = (SampleRecorded, flaky)
    event = SampleRecorded(org_id=ORG, n=3)
    assert await made.consumer.handle(scratch_engine, SampleRecorded.routing_key, event.model_dump_json().encode())
    assert [n for _, n in await effects(scratch_engine)] == [3]
    assert failures == []


async def test_an_error_in_the_work_itself_is_not_retried_in_place(scratch_engine: AsyncEngine) -> None:
    async with scratch_engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE effects (event_id uuid NOT NULL, n int NOT NULL)"))
    made = Recorder()
    event = SampleRecorded(org_id=ORG, n=4, fail=True)
    with pytest.raises(RuntimeError, match="never be handled"):
        await made.consumer.handle(scratch_engine, SampleRecorded.routing_key, event.model_dump_json().encode())
    assert made.attempts == {4: 1}
    assert await effects(scratch_engine) == []
