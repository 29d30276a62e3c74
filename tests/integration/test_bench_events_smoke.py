"""The events benchmark runs end to end and applies every event exactly once (behaviour, not timing)."""

from __future__ import annotations

import asyncio
import json
import sys

import asyncpg
import pytest

from regulars.shared.db.engine import asyncpg_dsn
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import REPO

pytestmark = pytest.mark.integration

EVENTS = 50


async def run(*command: str, timeout: float) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_bench_events_applies_every_event_exactly_once_and_cleans_up() -> None:
    code, stdout, stderr = await run(
        sys.executable, "-m", "bench.events", "--events", str(EVENTS), "--relays", "1,2", "--json", timeout=300
    )
    assert code == 0, stdout[-4000:] + stderr[-4000:]
    report = json.loads(stdout)

    assert report["exactly_once"] is True, report["problems"]
    assert [variant["relays"] for variant in report["pipeline"]] == [1, 2]
    for variant in report["pipeline"]:
        counts = variant["counts"]
        assert counts["samples"] == counts["outbox"] == counts["inbox"] == EVENTS
        assert counts["effects"] == counts["distinct_effects"] == EVENTS
        assert counts["unpublished"] == counts["events_without_effect"] == counts["effects_without_event"] == 0
        assert variant["relay_publishes"] >= EVENTS
        assert variant["handler_failures"] == 0
    assert report["raw"]["before"]["queued"] == report["raw"]["after"]["queued"] == EVENTS
    assert report["queues_after"] == {"bench.effects": 0, "bench.effects.dead": 0}

    # The run's own vhost and database are gone.
    code, vhosts, _ = await run("rabbitmqctl", "-q", "list_vhosts", timeout=60)
    assert code == 0
    assert report["isolation"]["vhost"] not in vhosts.split()
    settings = Settings()
    conn = await asyncpg.connect(asyncpg_dsn(settings.database_url_of("identity"), settings.db_admin_database))
    try:
        found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", report["isolation"]["database"])
    finally:
        await conn.close()
    assert found is None
