"""The login benchmark runs end to end: every sign-in succeeds (behaviour, never timing)."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from regulars.shared.testing.infra import REPO

pytestmark = pytest.mark.e2e


async def test_bench_login_signs_in_without_failures_and_reports_the_hashing_limit() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.login", "--seconds", "1", "--accounts", "20", "--concurrency", "2", "--json",
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, stdout.decode()[-3000:] + stderr.decode()[-3000:]
    report = json.loads(stdout)
    assert report["ok"] is True
    for path in ("through_gateway", "identity_direct"):
        assert report[path]["sign_ins"] > 0
        assert report[path]["failures"] == {}
    assert report["hashing_limit"]["mean_per_second"] > 0
    assert report["argon2id"]["memory_kib"] >= 19456
