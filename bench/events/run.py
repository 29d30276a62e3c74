"""Command line: ``.venv/bin/python -m bench.events [options]`` from the repository root.

One run, isolated like the tests (own RabbitMQ vhost, own scratch database,
both removed at the end):

1. raw aio-pika publishes with confirms (the baseline), events per second;
2. the whole path with 1 relay, then with 2 relays (``--relays``): events per
   second and commit-to-effect latency percentiles, each followed by a check
   that every event had exactly one effect;
3. the raw baseline again (the machine is shared, so the ratio uses the mean).

Exit status 0 when every event of every variant had exactly one effect, 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from typing import Any

import sqlalchemy as sa

from bench.common import command_line, run_isolated
from bench.events.consumer import ConsumerProcess, InlineConsumer
from bench.events.model import CONSUMER_NAME, make_consumer, metadata
from bench.events.pipeline import PipelineResult, run_pipeline
from bench.events.raw import broker_version, queue_depth, raw_publish
from regulars.shared.db.engine import create_database_if_missing, make_engine
from regulars.shared.db.tables import create_common_tables
from regulars.shared.logging import configure_logging
from regulars.shared.messaging.runtime import declare_queues
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import isolated_settings, vhost_of


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = command_line(
        "events", "Events per second and commit-to-effect latency through outbox → relay → RabbitMQ → inbox."
    )
    parser.add_argument("--events", type=int, default=1000, help="events per variant (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent producer transactions (default 8)")
    parser.add_argument("--batch-size", type=int, default=100, help="relay batch size = raw publish window (100)")
    parser.add_argument("--relays", default="1,2", help="comma-separated relay counts, one variant each (default 1,2)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="pace producers at this many events/s (default 0: as fast as possible)"
    )
    parser.add_argument(
        "--consumer",
        choices=("process", "inline"),
        default="process",
        help="run the consumer in its own process like a consuming service (default), or inline in this one",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per variant (default 120)")
    args = parser.parse_args(argv)
    try:
        args.relay_counts = [int(part) for part in str(args.relays).split(",") if part.strip()]
    except ValueError:
        parser.error("--relays takes comma-separated integers, e.g. 1,2")
    if not args.relay_counts or min(args.relay_counts) < 1:
        parser.error("--relays needs at least one count, each >= 1")
    if args.events < 1 or args.concurrency < 1 or args.batch_size < 1:
        parser.error("--events, --concurrency and --batch-size must be >= 1")
    return args


async def _queue_depths(amqp_url: str) -> dict[str, int]:
    return {name: await queue_depth(amqp_url, name) for name in (CONSUMER_NAME, f"{CONSUMER_NAME}.dead")}


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    url = settings.database_url_of("bench")
    await create_database_if_missing(url, settings.db_admin_database)
    engine = make_engine(url, pool_size=args.concurrency + 2 * max(args.relay_counts) + 4)
    consumer: InlineConsumer | ConsumerProcess | None = None
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: create_common_tables(sync, with_business_projection=False))
            await conn.run_sync(metadata.create_all)
            postgres = str((await conn.execute(sa.text("SHOW server_version"))).scalar_one())
        await declare_queues(settings, [make_consumer()])
        consumer = InlineConsumer(settings, engine) if args.consumer == "inline" else ConsumerProcess(settings)
        await consumer.start()

        # Warm-up, not reported: connections, pools, queue leaders, code paths.
        warm_up = min(args.events, 100)
        await raw_publish(settings.amqp_url, warm_up, args.batch_size)
        warm = await run_pipeline(
            engine,
            settings.amqp_url,
            events=warm_up,
            concurrency=args.concurrency,
            batch_size=args.batch_size,
            relays=1,
            rate=0.0,
            timeout=args.timeout,
            consumer_stats=consumer.stats,
        )

        raw_before = await raw_publish(settings.amqp_url, args.events, args.batch_size)
        variants: list[PipelineResult] = []
        for relays in args.relay_counts:
            variants.append(
                await run_pipeline(
                    engine,
                    settings.amqp_url,
                    events=args.events,
                    concurrency=args.concurrency,
                    batch_size=args.batch_size,
                    relays=relays,
                    rate=args.rate,
                    timeout=args.timeout,
                    consumer_stats=consumer.stats,
                )
            )
        raw_after = await raw_publish(settings.amqp_url, args.events, args.batch_size)
        depths = await _queue_depths(settings.amqp_url)
        rabbitmq = await broker_version(settings.amqp_url)
    finally:
        if consumer is not None:
            await consumer.stop()
        await engine.dispose()

    raw_mean = (raw_before["events_per_second"] + raw_after["events_per_second"]) / 2
    problems = [f"warm-up: {p}" for p in warm.problems]
    problems += [f"{v.relays} relay(s): {p}" for v in variants for p in v.problems]
    for raw in (raw_before, raw_after):
        if raw["queued"] != raw["events"]:
            problems.append(f"raw: {raw['queued']} queued for {raw['events']} confirmed publishes")
    for name, depth in depths.items():
        if depth:
            problems.append(f"queue {name} still holds {depth} message(s)")
    return {
        "parameters": {
            "events": args.events,
            "concurrency": args.concurrency,
            "batch_size": args.batch_size,
            "relays": args.relay_counts,
            "rate": args.rate,
            "consumer": args.consumer,
        },
        "machine": {"cpus": os.cpu_count(), "postgresql": postgres, "rabbitmq": rabbitmq},
        "raw": {"before": raw_before, "after": raw_after, "mean_events_per_second": round(raw_mean, 1)},
        "pipeline": [
            {
                **v.as_dict(),
                # Paced producers set the rate themselves: a ratio would only restate --rate.
                "ratio_to_raw": round(v.events_per_second / raw_mean, 3) if raw_mean and not args.rate else None,
            }
            for v in variants
        ],
        "queues_after": depths,
        "isolation": {"vhost": vhost_of(settings), "database": settings.database_name("bench")},
        "exactly_once": not problems,
        "problems": problems,
    }


def render(report: dict[str, Any]) -> str:
    p, m, raw = report["parameters"], report["machine"], report["raw"]
    rate = f"{p['rate']:g}/s" if p["rate"] else "as fast as possible"
    lines = [
        f"events benchmark: {p['events']} events per variant, producer concurrency {p['concurrency']}, "
        f"relay batch {p['batch_size']}, producers {rate}",
        "producers and relays in this process, consumer "
        + ("in its own process" if p["consumer"] == "process" else "in this process too"),
        f"machine: {m['cpus']} CPUs, PostgreSQL {m['postgresql']}, RabbitMQ {m['rabbitmq']} "
        "(if the machine is shared, numbers are noisy)",
        "",
        f"raw aio-pika publish (confirms, persistent, mandatory, {p['batch_size']} in flight): "
        f"{raw['before']['events_per_second']:.0f} ev/s before, {raw['after']['events_per_second']:.0f} ev/s after, "
        f"mean {raw['mean_events_per_second']:.0f} ev/s",
        "",
        "outbox → relay → RabbitMQ → inbox consumer → effect",
        f"{'relays':>6} {'ev/s':>7} {'÷raw':>6} {'commits/s':>9} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'publishes':>9} {'dups':>5} {'fails':>5}  exactly once",
    ]
    for v in report["pipeline"]:
        lat = v["latency_ms"]
        ratio = "-" if v["ratio_to_raw"] is None else f"{v['ratio_to_raw']:.3f}"
        lines.append(
            f"{v['relays']:>6} {v['events_per_second']:>7.0f} {ratio:>6} "
            f"{v['producer_commits_per_second']:>9.0f} {lat['p50']:>7.1f} {lat['p90']:>7.1f} {lat['p99']:>7.1f} "
            f"{lat['max']:>7.1f} {v['relay_publishes']:>9} {v['duplicates_absorbed_by_inbox']:>5} "
            f"{v['handler_failures']:>5}  "
            f"{'yes' if v['exactly_once'] else 'NO'} ({v['counts'].get('distinct_effects', 0)}/{v['events']})"
        )
    for v in report["pipeline"]:
        claim = v["commit_to_relay_claim_ms"]
        lines.append(
            f"  {v['relays']} relay(s), commit → relay claim: p50 {claim['p50']:.1f} ms, p90 {claim['p90']:.1f} ms, "
            f"p99 {claim['p99']:.1f} ms (the rest of the latency is publish, queue and consumer)"
        )
    if p["rate"]:
        lines.append("(paced producers: events/s follows --rate, so read the latency columns)")
    by_relays = {v["relays"]: v for v in report["pipeline"]}
    if 1 in by_relays and 2 in by_relays and by_relays[1]["events_per_second"] and not p["rate"]:
        speedup = by_relays[2]["events_per_second"] / by_relays[1]["events_per_second"]
        lines.append(f"2 relays vs 1: {speedup:.2f}x events/s")
    lines.append("")
    if report["exactly_once"]:
        lines.append("check: every event had exactly one effect in every variant; queues and dead letters empty")
    else:
        lines.append("check FAILED:")
        lines.extend(f"  - {problem}" for problem in report["problems"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("WARNING", json=True)
    report = run_isolated(lambda settings: run(args, settings), isolated_settings(f"bench{uuid.uuid4().hex[:8]}"))
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0 if report["exactly_once"] else 1
