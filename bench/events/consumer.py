"""The consuming side in its own process, as a consuming service would run it.

``python -m bench.events.consumer`` reads the run's settings from the environment
(``REGULARS_*``, as the test stack passes them), subscribes the benchmark's
``EventConsumer`` with ``regulars.shared.messaging.runtime.subscribe`` on a
FastStream ``RabbitBroker``, prints ``BENCH ready``, then answers each ``stats``
line on stdin with ``BENCH {json counters}``; it stops at end of input. (Its log
lines go to stdout as well, hence the prefix.)

``InlineConsumer`` and ``ConsumerProcess`` are the benchmark's two ways to run it.
"""

from __future__ import annotations

import asyncio
import json
import sys

from faststream.rabbit import RabbitBroker
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.events.model import CONSUMER_NAME, make_consumer
from regulars.shared.db.engine import make_engine
from regulars.shared.logging import configure_logging
from regulars.shared.messaging.runtime import subscribe
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import REPO, settings_env

PREFIX = "BENCH "


def stats() -> dict[str, int]:
    return {
        outcome: int(
            REGISTRY.get_sample_value("regulars_events_handled_total", {"consumer": CONSUMER_NAME, "outcome": outcome})
            or 0
        )
        for outcome in ("ok", "duplicate", "failed", "rejected")
    }


class InlineConsumer:
    """The consumer in the benchmark's own process (shares its CPU with producers and relays)."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self._broker = RabbitBroker(settings.amqp_url, logger=None, graceful_timeout=10.0)
        subscribe(self._broker, make_consumer(), engine)

    async def start(self) -> None:
        await self._broker.start()

    async def stats(self) -> dict[str, int]:
        return stats()

    async def stop(self) -> None:
        await self._broker.stop()


class ConsumerProcess:
    """The consumer in a child process, like a consuming service beside the producing one."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._process: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 30.0) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.events.consumer",
            env=settings_env(self._settings),
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        await asyncio.wait_for(self._read_reply(), timeout)

    async def stats(self) -> dict[str, int]:
        process = self._require()
        assert process.stdin is not None
        process.stdin.write(b"stats\n")
        await process.stdin.drain()
        reply = await asyncio.wait_for(self._read_reply(), 30.0)
        return {key: int(value) for key, value in json.loads(reply).items()}

    async def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()

    def _require(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("consumer process not started")
        return self._process

    async def _read_reply(self) -> str:
        """The next line carrying the prefix; log lines in between are passed on to stderr."""
        process = self._require()
        assert process.stdout is not None
        while True:
            raw = await process.stdout.readline()
            if not raw:
                raise RuntimeError(f"consumer process exited with {await process.wait()}")
            line = raw.decode(errors="replace")
            if line.startswith(PREFIX):
                return line[len(PREFIX) :].strip()
            sys.stderr.write(line)


async def serve(settings: Settings) -> None:
    engine = make_engine(settings.database_url_of("bench"), 4)
    broker = RabbitBroker(settings.amqp_url, logger=None, graceful_timeout=10.0)
    subscribe(broker, make_consumer(), engine)
    loop = asyncio.get_running_loop()
    try:
        await broker.start()
        print(f"{PREFIX}ready", flush=True)
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            if line.strip() == "stats":
                print(PREFIX + json.dumps(stats()), flush=True)
    finally:
        await broker.stop()
        await engine.dispose()


def main() -> int:
    configure_logging("WARNING", json=True)
    asyncio.run(serve(Settings()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
