"""Messages per second the courier hands to an SMTP server, against plain aiosmtplib in the same run.

Both send the same rendered messages to the same SMTP server (``bench.courier.sink``,
its own process) over the same number of connections. The plain client only
sends; the courier also claims rows (``FOR UPDATE SKIP LOCKED``), moves each
through queued -> sending -> sent and writes a dispatch-log row per attempt, in
PostgreSQL. The ratio is what that bookkeeping costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from typing import Any

import aiohttp
import aiosmtplib
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import command_line
from regulars.notifications.adapters.smtp import SmtpMailer, build_email
from regulars.notifications.adapters.tables import messages
from regulars.notifications.domain.message_types import PasswordResetVariables
from regulars.notifications.domain.model import RetryPolicy
from regulars.notifications.service_layer.courier import Courier, _outgoing
from regulars.notifications.service_layer.messages import MessageRequest, request_message
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSettings, BusinessSnapshot
from regulars.shared.db.engine import create_database_if_missing, drop_database, make_engine
from regulars.shared.db.migrations import upgrade
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.logging import configure_logging
from regulars.shared.settings import Settings
from regulars.shared.tenancy import apply_snapshot
from regulars.shared.testing.infra import REPO, free_port, isolated_settings

SENDER = "Bench <bench@regulars.localhost>"


async def setup_business(engine: AsyncEngine) -> BusinessSnapshot:
    business = BusinessSnapshot(
        business_id=uuid.uuid4(), org_id=uuid.uuid4(), org_name="Bench", client_database="per_business",
        slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench Salon", vertical="salon", timezone="Europe/Rome",
        currency="EUR", default_locale="it", settings=BusinessSettings(), version=1,
    )  # fmt: skip
    async with UnitOfWork(engine) as uow:
        await apply_snapshot(uow.conn, business)
    return business


async def enqueue(engine: AsyncEngine, settings: Settings, business: BusinessSnapshot, count: int, tag: str) -> None:
    """Queue ``count`` rendered password-reset emails (not timed)."""
    now = clock.now()
    async with UnitOfWork(engine) as uow:
        for n in range(count):
            await request_message(
                uow.conn, settings,
                MessageRequest(
                    org_id=business.org_id, business_id=business.business_id,
                    category="security", channel="email", to=f"client{n}@bench.example", locale="it",
                    variables=PasswordResetVariables(
                        first_name=f"Client {n}", link=f"https://bench.example/reset?token={n}"
                    ),
                    dedupe_key=f"bench:{tag}:{n}",
                ),
                now,
            )  # fmt: skip


async def rendered_emails(engine: AsyncEngine, count: int) -> list[EmailMessage]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(messages).limit(count))).all()
    return [build_email(_outgoing(row), SENDER) for row in rows]


async def plain_client(port: int, emails: list[EmailMessage], concurrency: int) -> float:
    """The baseline: ``concurrency`` aiosmtplib connections, each sending its share in turn."""

    async def lane(share: list[EmailMessage]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for email in share:
            await client.send_message(email)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(lane(emails[i::concurrency]) for i in range(concurrency)))
    return len(emails) / (time.perf_counter() - started)


async def courier_run(
    engine: AsyncEngine, port: int, couriers: int, concurrency: int, batch_size: int
) -> tuple[float, list[Courier], list[SmtpMailer]]:
    mailers = [SmtpMailer("127.0.0.1", port, sender=SENDER, pool_size=concurrency) for _ in range(couriers)]
    made = [
        Courier(engine, {"email": mailer}, policy=RetryPolicy(), batch_size=batch_size, name=f"bench-{i}")
        for i, mailer in enumerate(mailers)
    ]
    async with engine.connect() as conn:
        waiting = await conn.scalar(sa.select(sa.func.count()).where(messages.c.status == "queued"))
    started = time.perf_counter()
    await asyncio.gather(*(courier.drain(max_passes=100_000) for courier in made))
    elapsed = time.perf_counter() - started
    for mailer in mailers:
        await mailer.close()
    return int(waiting or 0) / elapsed, made, mailers


async def sink_count(http: aiohttp.ClientSession, url: str, reset: bool = False) -> dict[str, int]:
    async with http.get(f"{url}/count") as response:
        counts: dict[str, int] = await response.json()
    if reset:
        async with http.delete(f"{url}/count"):
            pass
    return counts


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    settings = isolated_settings()
    url = settings.database_url_of("benchcourier")
    await create_database_if_missing(url, settings.db_admin_database)
    smtp_port, http_port = free_port(), free_port()
    sink = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is timed
        [sys.executable, "-m", "bench.courier.sink", str(smtp_port), str(http_port)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    engine = make_engine(url, 10)
    report: dict[str, Any] = {"messages": args.messages, "concurrency": args.concurrency, "variants": []}
    try:
        assert sink.stdout is not None
        assert sink.stdout.readline().strip() == "ready"
        await upgrade("regulars.notifications.migrations", url, settings.db_admin_database)
        business = await setup_business(engine)
        sink_url = f"http://127.0.0.1:{http_port}"
        async with aiohttp.ClientSession() as http:
            await enqueue(engine, settings, business, args.messages, "baseline")
            emails = await rendered_emails(engine, args.messages)
            await plain_client(smtp_port, emails[:50], args.concurrency)  # warm-up
            async with engine.begin() as conn:
                await conn.execute(sa.delete(messages))
            await sink_count(http, sink_url, reset=True)
            raw_before = await plain_client(smtp_port, emails, args.concurrency)
            await sink_count(http, sink_url, reset=True)
            for couriers in args.couriers:
                await enqueue(engine, settings, business, args.messages, f"couriers{couriers}")
                rate, _, _ = await courier_run(engine, smtp_port, couriers, args.concurrency, args.batch_size)
                counts = await sink_count(http, sink_url, reset=True)
                async with engine.begin() as conn:
                    sent = await conn.scalar(sa.select(sa.func.count()).where(messages.c.status == "sent"))
                    await conn.execute(sa.delete(messages))
                once = counts["total"] == args.messages == sent and counts["max_per_id"] == 1
                report["variants"].append(
                    {"couriers": couriers, "msgs_per_s": round(rate, 1), "sent": sent, "received": counts["total"],
                     "exactly_once": once}
                )  # fmt: skip
            raw_after = await plain_client(smtp_port, emails, args.concurrency)
        raw = (raw_before + raw_after) / 2
        report["raw_msgs_per_s"] = [round(raw_before, 1), round(raw_after, 1)]
        for variant in report["variants"]:
            variant["ratio_to_raw"] = round(variant["msgs_per_s"] / raw, 3)
    finally:
        await engine.dispose()
        sink.terminate()
        sink.wait(timeout=10)
        await drop_database(url, settings.db_admin_database)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = command_line("courier", __doc__)
    parser.add_argument("--messages", type=int, default=1000, help="messages per variant (default 1000)")
    parser.add_argument("--concurrency", type=int, default=4, help="SMTP connections per sender (default 4)")
    parser.add_argument("--batch-size", type=int, default=50, help="courier claim batch (default 50)")
    parser.add_argument(
        "--couriers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2], help="variants, e.g. 1,2"
    )
    args = parser.parse_args(argv)
    configure_logging("WARNING", False, process="bench.courier")  # keep stdout for the report
    report = asyncio.run(bench(args))
    if args.json:
        print(json.dumps(report))
    else:
        before, after = report["raw_msgs_per_s"]
        print(f"plain aiosmtplib, {args.concurrency} connections: {before} / {after} msgs/s (before / after)")
        print("couriers  msgs/s  ÷raw   sent  received  exactly once")
        for v in report["variants"]:
            print(
                f"{v['couriers']:>8} {v['msgs_per_s']:>7} {v['ratio_to_raw']:>5} {v['sent']:>6} {v['received']:>9}  "
                f"{'yes' if v['exactly_once'] else 'NO'}"
            )
    return 0 if all(v["exactly_once"] for v in report["variants"]) else 1
