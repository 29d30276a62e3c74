"""One run of the whole path: outbox → relay(s) → RabbitMQ → inbox consumer → effect.

Producers commit ``UnitOfWork`` transactions (a sample row plus its event in the
outbox); ``OutboxRelay`` instances publish them; the FastStream subscriber from
``regulars.shared.messaging.runtime.subscribe`` (already running) applies them
through ``EventConsumer`` with its inbox. The run ends when every event has an
effect, then the tables are checked for exactly one effect per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.events.model import CONSUMER_NAME, BenchSampleRecorded, effects, latency_summary_ms, samples
from regulars.shared.db.tables import inbox, outbox
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.relay import OutboxRelay


@dataclass
class PipelineResult:
    relays: int
    events: int
    producer_seconds: float = 0.0
    total_seconds: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)
    claim_latency_ms: dict[str, float] = field(default_factory=dict)
    relay_publishes: int = 0
    duplicates_absorbed: int = 0
    handler_failures: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def exactly_once(self) -> bool:
        return not self.problems

    @property
    def events_per_second(self) -> float:
        return self.events / self.total_seconds if self.total_seconds > 0 else 0.0

    @property
    def producer_commits_per_second(self) -> float:
        return self.events / self.producer_seconds if self.producer_seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "relays": self.relays,
            "events": self.events,
            "events_per_second": round(self.events_per_second, 1),
            "producer_commits_per_second": round(self.producer_commits_per_second, 1),
            "seconds": round(self.total_seconds, 3),
            "latency_ms": self.latency_ms,
            "commit_to_relay_claim_ms": self.claim_latency_ms,
            "relay_publishes": self.relay_publishes,
            "duplicates_absorbed_by_inbox": self.duplicates_absorbed,
            "handler_failures": self.handler_failures,
            "counts": self.counts,
            "exactly_once": self.exactly_once,
            "problems": self.problems,
        }


def _publishes() -> int:
    """Publishes by every ``OutboxRelay`` in this process (they all run here)."""
    return int(REGISTRY.get_sample_value("regulars_outbox_published_total", {}) or 0)


async def reset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text("TRUNCATE bench_samples, bench_effects, outbox, inbox RESTART IDENTITY"))


async def produce(engine: AsyncEngine, events: int, concurrency: int, rate: float) -> None:
    """Commit ``events`` units of work from ``concurrency`` tasks, paced at ``rate``/s when > 0."""
    org_id = uuid.uuid4()
    numbers = itertools.count(1)
    start = time.perf_counter()

    async def worker() -> None:
        for number in numbers:
            if number > events:
                return
            if rate > 0:
                delay = start + (number - 1) / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            async with UnitOfWork(engine) as uow:
                await uow.conn.execute(sa.insert(samples).values(id=number, value=random.random()))
                # Stamped last, just before the commit that ends the block.
                await uow.publish(BenchSampleRecorded(org_id=org_id, sample_id=number, committed_at=datetime.now(UTC)))

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _effect_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(effects))).scalar_one())


async def _wait_for_effects(engine: AsyncEngine, events: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if await _effect_count(engine) >= events:
            return True
        await asyncio.sleep(0.05)
    return False


async def _start_relays(engine: AsyncEngine, amqp_url: str, count: int, batch_size: int) -> list[asyncio.Task[None]]:
    relays = [OutboxRelay(engine, amqp_url, batch_size=batch_size, poll_seconds=0.5) for _ in range(count)]
    tasks = [asyncio.create_task(relay.run(), name=f"bench-relay-{i}") for i, relay in enumerate(relays)]
    deadline = time.monotonic() + 15
    while not all(relay.connected for relay in relays):
        if time.monotonic() > deadline:
            await _stop(tasks)
            raise TimeoutError("relays did not connect to RabbitMQ within 15 s")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # let each relay's LISTEN connection settle
    return tasks


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _verify(engine: AsyncEngine, result: PipelineResult) -> None:
    """Every committed event published once, applied once, and nothing else applied."""
    n = result.events
    queries = {
        "samples": sa.select(sa.func.count()).select_from(samples),
        "outbox": sa.select(sa.func.count()).select_from(outbox),
        "unpublished": sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)),
        "effects": sa.select(sa.func.count()).select_from(effects),
        "distinct_effects": sa.select(sa.func.count(sa.distinct(effects.c.event_id))),
        "events_without_effect": sa.select(sa.func.count())
        .select_from(outbox)
        .where(~sa.exists().where(effects.c.event_id == outbox.c.event_id)),
        "effects_without_event": sa.select(sa.func.count())
        .select_from(effects)
        .where(~sa.exists().where(outbox.c.event_id == effects.c.event_id)),
        "inbox": sa.select(sa.func.count()).select_from(inbox).where(inbox.c.consumer == CONSUMER_NAME),
    }
    expected = {
        "samples": n,
        "outbox": n,
        "unpublished": 0,
        "effects": n,
        "distinct_effects": n,
        "events_without_effect": 0,
        "effects_without_event": 0,
        "inbox": n,
    }
    async with engine.connect() as conn:
        for name, query in queries.items():
            result.counts[name] = int((await conn.execute(query)).scalar_one())
        rows = (await conn.execute(sa.select(effects.c.committed_at, effects.c.applied_at))).all()
        # published_at is the relay's transaction start (its claim), in the database's clock,
        # which on one host is the same wall clock as the producer's stamp.
        claims = (
            await conn.execute(
                sa.select(outbox.c.published_at, effects.c.committed_at).join(
                    effects, effects.c.event_id == outbox.c.event_id
                )
            )
        ).all()
    for name, want in expected.items():
        if result.counts[name] != want:
            result.problems.append(f"{name}: {result.counts[name]}, expected {want}")
    result.latency_ms = latency_summary_ms([(row.applied_at - row.committed_at).total_seconds() for row in rows])
    result.claim_latency_ms = latency_summary_ms(
        [(row.published_at - row.committed_at).total_seconds() for row in claims if row.published_at is not None]
    )


async def run_pipeline(
    engine: AsyncEngine,
    amqp_url: str,
    *,
    events: int,
    concurrency: int,
    batch_size: int,
    relays: int,
    rate: float,
    timeout: float,
    consumer_stats: Callable[[], Awaitable[dict[str, int]]],
) -> PipelineResult:
    result = PipelineResult(relays=relays, events=events)
    await reset(engine)
    tasks = await _start_relays(engine, amqp_url, relays, batch_size)
    publishes_before, stats_before = _publishes(), await consumer_stats()
    try:
        started_wall = datetime.now(UTC)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        try:
            await asyncio.wait_for(produce(engine, events, concurrency, rate), timeout=timeout)
        except TimeoutError:
            result.problems.append(f"producers did not finish within {timeout:.0f} s")
        result.producer_seconds = time.perf_counter() - started
        if not result.problems and not await _wait_for_effects(engine, events, deadline):
            result.problems.append(f"timed out after {timeout:.0f} s with {await _effect_count(engine)} effects")
        # A short grace period: a late duplicate effect would show up now.
        await asyncio.sleep(0.3)
    finally:
        await _stop(tasks)
    async with engine.connect() as conn:
        last = (await conn.execute(sa.select(sa.func.max(effects.c.applied_at)))).scalar_one()
    if last is not None:
        result.total_seconds = (last - started_wall).total_seconds()
    result.relay_publishes = _publishes() - publishes_before
    stats_after = await consumer_stats()
    handled = {outcome: stats_after[outcome] - stats_before[outcome] for outcome in stats_after}
    result.duplicates_absorbed = handled["duplicate"]
    result.handler_failures = handled["failed"] + handled["rejected"]
    await _verify(engine, result)
    return result
