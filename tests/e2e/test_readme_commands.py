"""The README's two commands, from a clean clone of what is committed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from regulars.shared.settings import Settings
from regulars.shared.testing.infra import REPO, create_vhost, delete_vhost, free_port, isolated_settings, settings_env
from regulars.shared.testing.waiting import eventually_blocking

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("clone") / "regulars"
    subprocess.run(["git", "clone", "-q", str(REPO), str(where)], check=True, timeout=120)
    return where


@pytest.fixture(scope="module")
def clone_settings() -> Iterator[Settings]:
    # Its own databases and vhost: the clone's services must not share queues with this run's stack.
    settings = isolated_settings()
    ports = {name: free_port() for name in ("gateway", "identity", "appointments", "wallet", "notifications")}
    settings = settings.model_copy(
        update={
            **{f"{name}_port": port for name, port in ports.items()},
            "smtp_port": free_port(),
            "mailbox_http_port": free_port(),
            "localstripe_port": free_port(),
            "public_url": f"http://127.0.0.1:{ports['gateway']}",
            "log_json": False,
        }
    )
    create_vhost(settings)
    yield settings
    delete_vhost(settings)


def get_json(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_make_run_brings_everything_up_and_ctrl_c_stops_it(clone: Path, clone_settings: Settings) -> None:
    log = (clone / "make-run.log").open("wb")
    process = subprocess.Popen(
        ["make", "run"], cwd=clone, env=settings_env(clone_settings), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    gateway = clone_settings.public_url

    def output() -> str:
        return (clone / "make-run.log").read_text(errors="replace")

    def healthy() -> object:
        assert process.poll() is None, "make run has stopped"
        try:
            status, health = get_json(f"{gateway}/healthz")
        except OSError:
            return None
        return health if status == 200 else None

    try:
        try:
            health = eventually_blocking(healthy, timeout=600, every=1)  # a fresh venv is installed first
        except AssertionError as exc:
            raise AssertionError(output()[-4000:]) from exc
        assert isinstance(health, dict)
        assert all(s["ready"] for s in health["services"].values())

        demo = json.loads((clone / "var" / "demo.json").read_text())
        assert [b["slug"] for b in demo["businesses"]] == ["demo-salon", "demo-salon-uptown", "happy-paws"]
        status, profile = get_json(f"{gateway}/api/v1/b/demo-salon")
        assert status == 200
        assert isinstance(profile, dict)
        assert profile["name"] == "Demo Salon"
        status, _ = get_json(f"http://127.0.0.1:{clone_settings.mailbox_http_port}/api/messages")
        assert status == 200
        with urllib.request.urlopen(f"{clone_settings.stripe_url()}/js.stripe.com/v3/", timeout=3) as stripe_js:
            assert stripe_js.status == 200  # localstripe, the wallet's payment provider

        eventually_blocking(lambda: "Regulars is up" in output(), timeout=60, every=0.5)
        assert f"{gateway}/w/demo-salon/" in output()
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    # Every process is gone: nothing answers on the gateway's port any more.
    with pytest.raises(urllib.error.URLError):
        get_json(f"{gateway}/healthz")


def test_make_test_runs_in_the_clean_clone(clone: Path, clone_settings: Settings) -> None:
    done = subprocess.run(
        ["make", "test", "PYTEST_ARGS=shared/tests/unit -q -p no:cacheprovider"],
        cwd=clone, env=settings_env(clone_settings), capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert " passed" in done.stdout
    assert " failed" not in done.stdout
