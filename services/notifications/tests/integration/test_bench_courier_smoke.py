"""The courier benchmark runs end to end and delivers every message exactly once (behaviour, not timing)."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from regulars.shared.testing.infra import REPO

pytestmark = pytest.mark.integration


async def test_bench_courier_delivers_every_message_exactly_once() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.courier", "--messages", "40", "--couriers", "1,2", "--json",
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, stdout.decode()[-4000:] + stderr.decode()[-4000:]
    report = json.loads(stdout)
    assert [v["couriers"] for v in report["variants"]] == [1, 2]
    for variant in report["variants"]:
        assert variant["exactly_once"] is True
        assert variant["sent"] == variant["received"] == 40
        assert variant["msgs_per_s"] > 0
    assert all(rate > 0 for rate in report["raw_msgs_per_s"])
