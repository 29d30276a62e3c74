"""What every service process shares: ``python -m regulars.<name> serve | migrate | jobs``.

A service describes itself with a ``Service`` (routes, consumers, jobs, extra
commands); this module turns that into an aiohttp application with its database
engine, outbox relay and consumers, and into a command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared import clock
from regulars.shared.db.engine import make_engine, ping
from regulars.shared.db.migrations import upgrade
from regulars.shared.http.app import READINESS_CHECKS, base_app
from regulars.shared.http.internal import unguarded_routes
from regulars.shared.logging import configure_logging
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.messaging.dead_letters import count_dead_letters, replay_dead_letters
from regulars.shared.messaging.maintenance import prune_messaging
from regulars.shared.messaging.runtime import MessagingRuntime, declare_queues
from regulars.shared.settings import Settings, get_settings
from regulars.shared.startup import refuse_development_values

log = structlog.get_logger(__name__)

ENGINE = web.AppKey("engine", AsyncEngine)
SETTINGS = web.AppKey("settings", Settings)
MESSAGING = web.AppKey("messaging", MessagingRuntime)

Job = Callable[[AsyncEngine, Settings, datetime], Awaitable[dict[str, Any]]]
Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def no_consumers(settings: Settings) -> list[EventConsumer]:
    return []


@dataclass
class Service:
    name: str
    migrations: str
    setup_routes: Callable[[web.Application], None] | None = None
    # Built from the process's settings: consumers take what they need from them, never re-read them.
    consumers: Callable[[Settings], list[EventConsumer]] = no_consumers
    jobs: dict[str, Job] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every service has the outbox, inbox and idempotency tables to keep small.
        self.jobs.setdefault("prune-messaging", prune_messaging)

    # Extra subcommands: a function that adds parsers and sets ``func`` on them.
    add_commands: Callable[[Any], None] | None = None


def build_app(service: Service, settings: Settings) -> web.Application:
    app = base_app(internal_token=settings.internal_token)
    app[SETTINGS] = settings

    async def resources(app: web.Application) -> Any:
        engine = make_engine(settings.database_url_of(service.name), settings.db_pool_size)
        messaging = MessagingRuntime(settings, engine, service.consumers(settings))
        app[ENGINE] = engine
        app[MESSAGING] = messaging
        app[READINESS_CHECKS]["database"] = lambda: _db_ready(engine)
        app[READINESS_CHECKS]["broker"] = messaging.ready
        await messaging.start()
        yield
        await messaging.stop()
        await engine.dispose()

    app.cleanup_ctx.append(resources)
    if service.setup_routes is not None:
        service.setup_routes(app)
    if unguarded := unguarded_routes(app):
        raise RuntimeError(f"{service.name}: internal routes without an Audience: {unguarded}")
    return app


async def _db_ready(engine: AsyncEngine) -> bool:
    await asyncio.wait_for(ping(engine), timeout=2.0)
    return True


def parse_as_of(value: str | None) -> datetime:
    if not value:
        return clock.now()
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _run_job(service: Service, settings: Settings, name: str, as_of: datetime) -> int:
    engine = make_engine(settings.database_url_of(service.name), 2)
    try:
        result = await service.jobs[name](engine, settings, as_of)
    finally:
        await engine.dispose()
    print(json.dumps({"job": name, "as_of": as_of.isoformat(), **result}, default=str))
    return 0


async def _dead_letters(service: Service, settings: Settings, args: argparse.Namespace) -> int:
    consumers = service.consumers(settings)
    if args.dead_command == "count":
        print(json.dumps(await count_dead_letters(settings.amqp_url, consumers)))
        return 0
    chosen = [c for c in consumers if args.consumer in (None, c.name)]
    if not chosen:
        print(json.dumps({"error": "unknown_consumer", "consumers": [c.name for c in consumers]}))
        return 2
    moved = {c.name: await replay_dead_letters(settings.amqp_url, c, args.limit) for c in chosen}
    print(json.dumps({"replayed": moved}))
    return 0


def main(service: Service, argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog=f"python -m regulars.{service.name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API, the consumers and the outbox relay")
    serve.add_argument("--port", type=int, default=settings.port_of(service.name))
    serve.add_argument("--host", default=settings.bind_host)
    commands.add_parser("migrate", help="create the database if missing, apply every migration, declare the queues")
    jobs = commands.add_parser("jobs", help="periodic jobs, run once")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("list", help="list the jobs")
    run = jobs_commands.add_parser("run", help="run one job once")
    run.add_argument("job", choices=sorted(service.jobs))
    run.add_argument("--as-of", help="ISO 8601 time the job takes as now (default: now)")
    dead = commands.add_parser("dead-letters", help="messages the consumers gave up on")
    dead_commands = dead.add_subparsers(dest="dead_command", required=True)
    dead_commands.add_parser("count", help="dead letters per consumer queue")
    replay = dead_commands.add_parser("replay", help="move dead letters back to their queue (after a fix)")
    replay.add_argument("--consumer", help="consumer (queue) name; default: all of this service's")
    replay.add_argument("--limit", type=int)
    if service.add_commands is not None:
        service.add_commands(commands)
    args = parser.parse_args(argv)
    refuse_development_values(settings, service.name)
    configure_logging(settings.log_level, settings.log_json, process=service.name)
    clock.configure(settings)

    if args.command == "serve":
        web.run_app(build_app(service, settings), host=args.host, port=args.port, print=None, access_log=None)
        return 0
    if args.command == "migrate":
        url = settings.database_url_of(service.name)
        asyncio.run(upgrade(service.migrations, url, settings.db_admin_database))
        asyncio.run(declare_queues(settings, service.consumers(settings)))
        log.info("migrated", service=service.name)
        return 0
    if args.command == "jobs":
        if args.jobs_command == "list":
            print("\n".join(sorted(service.jobs)))
            return 0
        return asyncio.run(_run_job(service, settings, args.job, parse_as_of(args.as_of)))
    if args.command == "dead-letters":
        return asyncio.run(_dead_letters(service, settings, args))
    func: Command = args.func
    return asyncio.run(func(args, settings))


def run(service: Service) -> None:
    sys.exit(main(service))
