"""Faults for real: a relay killed mid-load, RabbitMQ restarted. Nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.domain.businesses import BusinessSpec, OrganizationSpec
from regulars.identity.service_layer.businesses import ensure_business
from regulars.shared.db.tables import business_projection, inbox, outbox
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e

PROJECTIONS = ("appointments", "wallet", "notifications")


async def create_businesses(engine: AsyncEngine, prefix: str, count: int) -> list[uuid.UUID]:
    org = OrganizationSpec(slug=f"{prefix}-org", name="Fault Org", client_database="per_business")
    made = []
    for n in range(count):
        snapshot, _ = await ensure_business(engine, org, BusinessSpec(slug=f"{prefix}-{n}", name=f"Fault {n}"))
        made.append(snapshot.business_id)
    return made


async def count_in_each(engines: dict[str, AsyncEngine], query: sa.Select[Any]) -> dict[str, int]:
    """``query`` (a count) in each projecting service's database."""
    counts = {}
    for service in PROJECTIONS:
        async with engines[service].connect() as conn:
            counts[service] = int(await conn.scalar(query) or 0)
    return counts


async def projected(engines: dict[str, AsyncEngine], ids: list[uuid.UUID]) -> dict[str, int]:
    return await count_in_each(engines, sa.select(sa.func.count()).where(business_projection.c.business_id.in_(ids)))


async def wait_projected(engines: dict[str, AsyncEngine], ids: list[uuid.UUID], timeout: float = 60) -> dict[str, int]:
    """The projected counts once every projection has all ``ids``, or as they stand after ``timeout``."""
    counts: dict[str, int] = {}

    async def all_projected() -> bool:
        nonlocal counts
        counts = await projected(engines, ids)
        return all(c == len(ids) for c in counts.values())

    with contextlib.suppress(AssertionError):  # the caller's assert shows what is missing
        await eventually(all_projected, timeout=timeout, every=0.25)
    return counts


async def inbox_entries(engines: dict[str, AsyncEngine], event_ids: list[uuid.UUID]) -> dict[str, int]:
    return await count_in_each(engines, sa.select(sa.func.count()).where(inbox.c.event_id.in_(event_ids)))


async def announced(engine: AsyncEngine, ids: list[uuid.UUID]) -> list[Any]:
    """Identity's outbox rows announcing the businesses ``ids``: event id, when published, attempts."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.event_id, outbox.c.payload, outbox.c.published_at, outbox.c.attempts).where(
                outbox.c.routing_key == "identity.business.created.v1"
            )
        )
        wanted = {str(i) for i in ids}
        return [r for r in rows if r.payload["business_id"] in wanted]


async def created_event_ids(engine: AsyncEngine, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    return [row.event_id for row in await announced(engine, ids)]


async def test_relay_killed_mid_load_loses_nothing_and_applies_nothing_twice(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    first = await create_businesses(engines["identity"], prefix + "a", 40)
    stack.stop("identity", kill=True)  # SIGKILL: no graceful shutdown, batches may be mid-flight
    second = await create_businesses(engines["identity"], prefix + "b", 40)  # committed while no relay runs
    # No relay published them (a publication is marked in the outbox), so none can be projected.
    assert [row.published_at for row in await announced(engines["identity"], second)] == [None] * 40
    counts = await projected(engines, second)
    assert all(c == 0 for c in counts.values()), counts
    stack.start("identity")
    ids = first + second
    assert await wait_projected(engines, ids) == dict.fromkeys(PROJECTIONS, 80)
    event_ids = await created_event_ids(engines["identity"], ids)
    assert len(event_ids) == 80
    assert await inbox_entries(engines, event_ids) == dict.fromkeys(PROJECTIONS, 80)
    await stack.wait_ready()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


@pytest.mark.slow
async def test_events_committed_while_rabbitmq_is_down_are_published_after_it_restarts(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    prefix = f"restart-{uuid.uuid4().hex[:6]}"
    before = await create_businesses(engines["identity"], prefix + "a", 3)
    assert await wait_projected(engines, before) == dict.fromkeys(PROJECTIONS, 3)
    rabbitmqctl("stop_app")
    try:
        during = await create_businesses(engines["identity"], prefix + "b", 5)

        async def each_tried_and_failed() -> bool:  # part of the scenario: the broker is down meanwhile
            rows = await announced(engines["identity"], during)
            return len(rows) == 5 and all(row.attempts >= 1 and row.published_at is None for row in rows)

        await eventually(each_tried_and_failed, timeout=60, every=0.25)
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
    assert await wait_projected(engines, during, timeout=90) == dict.fromkeys(PROJECTIONS, 5)
    # The services reconnected by themselves: new events flow too, and /healthz is green again.
    after = await create_businesses(engines["identity"], prefix + "c", 2)
    assert await wait_projected(engines, after) == dict.fromkeys(PROJECTIONS, 2)
    await stack.wait_ready(timeout=60)
