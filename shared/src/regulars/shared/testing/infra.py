"""Isolated infrastructure for one test run: own databases, own RabbitMQ vhost."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from regulars.shared import clock
from regulars.shared.db.engine import asyncpg_dsn
from regulars.shared.settings import SERVICES, Settings

REPO = Path(__file__).resolve().parents[5]


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768+).

    Ports the kernel hands out for outgoing connections would otherwise race with
    ours between this check and the child's bind, when several runs share a machine.
    """
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def rabbitmqctl(*args: str, attempts: int = 5) -> None:
    # Right after add_vhost, set_permissions has been seen to fail once (exit 64) while
    # the vhost was still starting; a short retry absorbs that.
    for attempt in range(attempts):
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, timeout=60, check=False)
        if done.returncode == 0:
            return
        if attempt < attempts - 1:
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")


def isolated_settings(run_id: str | None = None) -> Settings:
    """Settings for a run: databases ``rt_<id>_<service>``, vhost ``regulars-test-<id>``."""
    run_id = run_id or uuid.uuid4().hex[:10]
    base = Settings()
    vhost = f"regulars-test-{run_id}"
    amqp = urllib.parse.urlsplit(base.amqp_url)
    amqp_url = urllib.parse.urlunsplit(amqp._replace(path="/" + urllib.parse.quote(vhost, safe="")))
    return base.model_copy(
        update={
            "db_prefix": f"rt_{run_id}",
            "amqp_url": amqp_url,
            "relay_poll_seconds": 0.5,
            # Every test process and stack shares one PostgreSQL (100 connections by default).
            "db_pool_size": 3,
            "relay_max_backoff_seconds": 2.0,
            "log_json": True,
            # The children read the test process's clock (--simulated-now), see regulars.shared.clock.
            "clock_offset_seconds": clock.offset().total_seconds(),
        }
    )


def vhost_of(settings: Settings) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(settings.amqp_url).path.lstrip("/"))


def create_vhost(settings: Settings) -> None:
    vhost = vhost_of(settings)
    user = urllib.parse.urlsplit(settings.amqp_url).username or "guest"
    rabbitmqctl("add_vhost", vhost, attempts=1)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")


def delete_vhost(settings: Settings) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost_of(settings)], capture_output=True, timeout=60)


async def drop_databases(settings: Settings, prefix: str | None = None) -> None:
    prefix = prefix or settings.db_prefix
    conn = await asyncpg.connect(asyncpg_dsn(settings.database_url_of("identity"), settings.db_admin_database))
    try:
        names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "\\_%")
        for row in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await conn.close()


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that gives a child process these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGULARS_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"REGULARS_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    env.update(extra)
    return env


class Stack:
    """Every process of the system, started as real subprocesses on free ports."""

    PROCESSES = ("devmailbox", "localstripe", *SERVICES, "gateway")

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        ports = {f"{name}_port": free_port() for name in (*SERVICES, "gateway")}
        self.settings = settings.model_copy(
            update={
                **ports,
                "smtp_port": free_port(),
                "mailbox_http_port": free_port(),
                "localstripe_port": free_port(),
                "public_url": f"http://127.0.0.1:{ports['gateway_port']}",
            }
        )
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def gateway_url(self) -> str:
        return self.settings.public_url

    @property
    def mailbox_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.mailbox_http_port}"

    @property
    def stripe_url(self) -> str:
        return self.settings.stripe_url()

    def command(self, name: str) -> list[str]:
        if name == "devmailbox":
            return [sys.executable, "-m", "regulars.devmailbox"]
        if name == "localstripe":  # its state lives only as long as the process (no --state)
            return [sys.executable, "-m", "regulars.devstripe"]
        return [sys.executable, "-m", f"regulars.{name}", "serve"]

    def start(self, name: str, extra_env: Mapping[str, str] | None = None, *, process_of: str | None = None) -> None:
        """Start ``name`` (a process of ``PROCESSES``, or another instance of ``process_of`` called ``name``)."""
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self.command(process_of or name),
            env=settings_env(self.settings, **(extra_env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )

    def start_all(self) -> None:
        for name in self.PROCESSES:
            self.start(name)

    def stop(self, name: str, kill: bool = False) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def cli(self, service: str, *args: str, timeout: float = 120) -> str:
        """Run ``python -m regulars.<service> args`` with this stack's settings; its output."""
        done = subprocess.run(
            [sys.executable, "-m", f"regulars.{service}", *args],
            env=settings_env(self.settings),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def cli_json(self, service: str, *args: str) -> dict[str, Any]:
        """The JSON a command prints (``api-keys create`` adds a reminder after it)."""
        parsed: dict[str, Any] = json.loads(self.cli(service, *args).split("\nStore this key")[0])
        return parsed

    def readiness_urls(self) -> list[str]:
        """What must answer 200 before the started processes count as ready: the gateway's
        health (every service's readiness) and localstripe's Stripe.js, where each was started."""
        urls = {"gateway": f"{self.gateway_url}/healthz", "localstripe": f"{self.stripe_url}/js.stripe.com/v3/"}
        return [url for name, url in urls.items() if name in self.processes]

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last: dict[str, object] = {}
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir}")
                try:
                    last = {url: await self._answer(session, url) for url in self.readiness_urls()}
                except aiohttp.ClientError as exc:
                    last = {"error": repr(exc)}
                # Ready only counts if our own processes answered, not strays on our ports.
                answered = all(isinstance(a, tuple) and a[0] == 200 for a in last.values())
                if answered and all(p.poll() is None for p in self.processes.values()):
                    return
                await asyncio.sleep(0.3)
        raise TimeoutError(f"stack not ready after {timeout}s: {last}")

    @staticmethod
    async def _answer(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
        async with session.get(url) as response:
            return response.status, (await response.text())[:500]


def identity_cli(stack: Stack, *args: str) -> dict[str, Any]:
    """Run an identity operator command against ``stack``; the JSON it printed."""
    return stack.cli_json("identity", *args)
