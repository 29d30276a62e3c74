"""Idempotency-Key store: concurrent first requests, replay, reuse with another body."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.domain_errors import api_error
from regulars.shared.idempotency import IdempotencyKeyReused, claim, remember
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.integration


async def create_thing(
    engine: AsyncEngine, key: str, body: dict[str, int], before_answer: Callable[[], Awaitable[object]] | None = None
) -> tuple[int, object]:
    """A stand-in for a POST that creates something: effect and stored answer in one transaction.

    ``before_answer`` runs between the effect and the stored answer, while the key is held."""
    async with UnitOfWork(engine) as uow:
        stored = await claim(uow.conn, "things", key, body)
        if stored is not None:
            return stored.status, stored.body
        thing_id = await uow.conn.scalar(sa.text("INSERT INTO things (v) VALUES (:v) RETURNING id"), {"v": body["v"]})
        if before_answer is not None:
            await before_answer()
        answer = {"id": thing_id}
        await remember(uow.conn, "things", key, 201, answer)
        return 201, answer


async def test_concurrent_requests_with_one_key_create_one_thing_and_get_one_answer(
    scratch_engine: AsyncEngine,
) -> None:
    async with scratch_engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE things (id serial PRIMARY KEY, v int NOT NULL)"))
    async with scratch_engine.connect() as watcher:

        async def a_duplicate_waits_on_the_key() -> bool:
            found = await watcher.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            await watcher.rollback()  # the next look sees the sessions afresh
            return bool(found)

        async def hold_until_raced() -> None:
            await eventually(a_duplicate_waits_on_the_key, timeout=10, every=0.02)

        answers = await asyncio.gather(
            *(create_thing(scratch_engine, "key-1", {"v": 5}, hold_until_raced) for _ in range(10))
        )
    assert len({str(a) for a in answers}) == 1
    async with scratch_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM things")) == 1

    with pytest.raises(IdempotencyKeyReused) as raised:
        await create_thing(scratch_engine, "key-1", {"v": 6})
    assert (api_error(raised.value).status, raised.value.code) == (409, "idempotency_key_reused")

    other = await create_thing(scratch_engine, "key-2", {"v": 5})
    assert other != answers[0]
