"""A process started with REGULARS_ENVIRONMENT=production and a development value exits at once, naming it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from regulars.shared.startup import secret_fields

pytestmark = pytest.mark.integration

READY = {
    "REGULARS_ENVIRONMENT": "production",
    **{f"REGULARS_{name.upper()}": f"a-long-random-{name}-0123456789" for name in secret_fields()},
    "REGULARS_DB_PASSWORD": "kV9xQ2-random",
    "REGULARS_AMQP_URL": "amqp://regulars:Zp8wL4-random@rabbit:5672/",
}


def _start(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGULARS_")}
    return subprocess.run(
        [sys.executable, "-m", module, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("variable", ["REGULARS_ENVIRONMENT", "REGULARS_ENV"])
@pytest.mark.parametrize(("module", "args"), [("regulars.identity", ["serve"]), ("regulars.gateway", ["serve"])])
def test_a_process_started_in_production_with_the_development_token_exits(
    variable: str, module: str, args: list[str]
) -> None:
    done = _start(module, *args, **{variable: "production"})
    assert done.returncode == 78, done.stdout + done.stderr
    assert "REGULARS_INTERNAL_TOKEN is a published development value" in done.stderr
    assert "REGULARS_DB_PASSWORD" in done.stderr


def test_a_process_with_production_values_starts() -> None:
    done = _start("regulars.appointments", "jobs", "list", **READY)  # runs the check, needs no database
    assert done.returncode == 0, done.stderr
    assert "prune-messaging" in done.stdout
    done = _start("regulars.appointments", "jobs", "list", **READY, REGULARS_CLOCK_OFFSET_SECONDS="3600")
    assert done.returncode == 78
    assert "REGULARS_CLOCK_OFFSET_SECONDS is for development and tests only" in done.stderr
