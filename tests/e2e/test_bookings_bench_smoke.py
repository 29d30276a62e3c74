"""The booking benchmark runs end to end: every booking succeeds, none overlaps (behaviour, never timing)."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from regulars.shared.testing.infra import REPO

pytestmark = pytest.mark.e2e


async def test_bench_booking_books_every_slot_once_and_reports_both_references() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.booking", "--searches", "10", "--bookings", "10", "--existing", "50",
        "--concurrency", "2", "--json",
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, stdout.decode()[-3000:] + stderr.decode()[-3000:]
    report = json.loads(stdout)
    assert report["booking"]["booked"] == 10
    assert report["booking"]["failed"] == 0
    assert report["booking"]["overlapping_pairs"] == 0
    assert report["availability"]["service"]["count"] == 10
    assert report["availability"]["mean_free_slots_per_search"] > 0
    assert report["availability"]["ratio_service_to_postgresql"] > 0
