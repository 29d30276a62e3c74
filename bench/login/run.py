"""Command line: ``.venv/bin/python -m bench.login [options]`` from the repository root.

One run, isolated like the tests (own databases and vhost, removed at the end):

1. the hashing limit (baseline): argon2id verifications per second with the
   identity service's own parameters and pool size, in this process, on the
   same cores, while the servers are idle;
2. sign-ins per second through the gateway (``POST /api/v1/b/{slug}/auth/login``)
   with ``--concurrency`` clients, each request from its own address
   (``X-Forwarded-For``, so the per-address limits do not interfere) and
   account;
3. the baseline again;
4. sign-ins per second straight to the identity service (``/internal/b/{slug}/auth/login``);
5. the baseline again. The machine is shared, so each variant is compared with
   the mean of the two baselines around it.

A sign-in costs one argon2id verification, so sign-ins/s ÷ hashes/s tells how
much of the machine's hashing capacity reaches clients; the rest is the HTTP
hops, the session insert, the rate-limit counters and the load generator
sharing the same cores. Exit status 0 when every sign-in succeeded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from bench.common import command_line, run_isolated
from regulars.identity.adapters.tables import client_accounts
from regulars.identity.domain.businesses import BusinessSpec, OrganizationSpec
from regulars.identity.service_layer.businesses import ensure_business
from regulars.shared import clock
from regulars.shared.db.engine import make_engine
from regulars.shared.db.migrations import upgrade
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.messaging.runtime import declare_queues
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import Stack

PASSWORD = "benchmark passphrase 2026"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = command_line("login", "Sign-ins per second against the argon2id hashing limit.")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measurement (default 6)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent sign-ins in flight (default 8)")
    parser.add_argument("--accounts", type=int, default=200, help="verified accounts signed in in turn (default 200)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1 or args.accounts < 1:
        parser.error("--seconds, --concurrency and --accounts must be positive")
    return args


def hasher_of(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=1,
        type=Type.ID,
    )


def hashing_limit(settings: Settings, seconds: float) -> dict[str, Any]:
    """argon2id verifications per second with the service's parameters and thread count."""
    hasher = hasher_of(settings)
    stored = hasher.hash(PASSWORD)
    workers = settings.password_hash_workers
    deadline = time.perf_counter() + seconds
    counts = [0] * workers
    lock = threading.Lock()

    def work(slot: int) -> None:
        while time.perf_counter() < deadline:
            hasher.verify(stored, PASSWORD)
            with lock:
                counts[slot] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(work, range(workers)))
    elapsed = time.perf_counter() - started
    return {"hashes": sum(counts), "seconds": round(elapsed, 3), "per_second": round(sum(counts) / elapsed, 1)}


async def prepare(settings: Settings, accounts: int) -> tuple[str, list[str]]:
    """Migrate identity, create a business and ``accounts`` verified clients (one shared hash)."""
    await upgrade("regulars.identity.migrations", settings.database_url_of("identity"), settings.db_admin_database)
    await declare_queues(settings, [])
    engine = make_engine(settings.database_url_of("identity"), 2)
    try:
        slug = f"bench-{uuid.uuid4().hex[:8]}"
        org = OrganizationSpec(slug=f"org-{slug}", name="Bench", client_database="per_business")
        business, _ = await ensure_business(engine, org, BusinessSpec(slug=slug, name="Bench Salon"))
        stored = hasher_of(settings).hash(PASSWORD)
        now = clock.now()
        emails = [f"bench-{n}@example.com" for n in range(accounts)]
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(client_accounts),
                [
                    {
                        "account_id": uuid.uuid4(),
                        "org_id": business.org_id,
                        "scope_business_id": business.business_id,
                        "signup_business_id": business.business_id,
                        "email": email,
                        "email_verified_at": now,
                        "password_hash": stored,
                        "first_name": "Bench",
                        "last_name": str(n),
                        "locale": "en",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n, email in enumerate(emails)
                ],
            )
        return slug, emails
    finally:
        await engine.dispose()


async def wait_until_up(url: str, headers: dict[str, str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url, headers=headers) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError(f"{url} not up after {timeout}s")


async def sign_ins(
    url: str,
    headers: dict[str, str],
    emails: list[str],
    seconds: float,
    concurrency: int,
    *,
    first_address: int,
    address_header: str = "X-Forwarded-For",
) -> dict[str, Any]:
    """Sign in as fast as ``concurrency`` clients can, for ``seconds``; each request from its own address
    (``X-Forwarded-For`` to the gateway, ``X-Client-IP`` as the gateway passes it to identity)."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    counter = iter(range(first_address, 10**9))
    deadline = time.perf_counter() + seconds

    async def client(http: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            n = next(counter)
            address = f"10.{(n >> 16) % 256}.{(n >> 8) % 256}.{n % 256}"
            body = {"email": emails[n % len(emails)], "password": PASSWORD}
            started = time.perf_counter()
            async with http.post(url, json=body, headers={**headers, address_header: address}) as response:
                await response.read()
                if response.status == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures[response.status] = failures.get(response.status, 0) + 1

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else 0.0

    return {
        "sign_ins": len(latencies),
        "failures": failures,
        "seconds": round(elapsed, 3),
        "per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {
            "p50": pct(0.5),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "mean": round(1000 * statistics.fmean(latencies), 1) if latencies else 0.0,
        },
    }


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    slug, emails = await prepare(settings, args.accounts)
    logs = Path(tempfile.mkdtemp(prefix="bench-login-"))
    stack = Stack(settings, logs)
    try:
        for name in ("identity", "gateway"):
            stack.start(name)
        internal = {INTERNAL_TOKEN_HEADER: stack.settings.internal_token}
        identity_url = stack.settings.url_of("identity")
        await wait_until_up(f"{identity_url}/internal/businesses/{slug}", internal)
        await wait_until_up(f"{stack.gateway_url}/api/v1/b/{slug}", {})
        # A few sign-ins first, so connection pools and code paths are warm.
        login = f"{stack.gateway_url}/api/v1/b/{slug}/auth/login"
        await sign_ins(login, {}, emails, 1.0, 2, first_address=0)
        # Baselines between the variants: each variant is compared with the two around it.
        limits = [await asyncio.to_thread(hashing_limit, stack.settings, args.seconds)]
        gateway = await sign_ins(login, {}, emails, args.seconds, args.concurrency, first_address=1 << 20)
        limits.append(await asyncio.to_thread(hashing_limit, stack.settings, args.seconds))
        direct = await sign_ins(
            f"{identity_url}/internal/b/{slug}/auth/login", internal, emails, args.seconds, args.concurrency,
            first_address=2 << 20, address_header="X-Client-IP",
        )  # fmt: skip
        limits.append(await asyncio.to_thread(hashing_limit, stack.settings, args.seconds))
    finally:
        stack.stop_all()
    rates = [measured["per_second"] for measured in limits]
    around_gateway, around_direct = (rates[0] + rates[1]) / 2, (rates[1] + rates[2]) / 2
    return {
        "argon2id": {
            "time_cost": settings.password_hash_time_cost,
            "memory_kib": settings.password_hash_memory_kib,
            "parallelism": 1,
            "threads": settings.password_hash_workers,
        },
        "concurrency": args.concurrency,
        "hashing_limit": {"runs": limits, "mean_per_second": round(statistics.fmean(rates), 1)},
        "through_gateway": {
            **gateway,
            "hashing_limit_around": round(around_gateway, 1),
            "ratio_to_hashing_limit": round(gateway["per_second"] / around_gateway, 3),
        },
        "identity_direct": {
            **direct,
            "hashing_limit_around": round(around_direct, 1),
            "ratio_to_hashing_limit": round(direct["per_second"] / around_direct, 3),
        },
        "ok": not gateway["failures"] and not direct["failures"] and gateway["sign_ins"] > 0,
    }


def print_report(report: dict[str, Any]) -> None:
    a = report["argon2id"]
    h = report["hashing_limit"]
    print(
        f"argon2id m={a['memory_kib']} KiB t={a['time_cost']} p=1, {a['threads']} hashing threads; "
        f"{report['concurrency']} clients"
    )
    runs = ", ".join(str(run["per_second"]) for run in h["runs"])
    print(f"hashing limit    {h['mean_per_second']:8.1f} hashes/s (runs before, between and after: {runs})")
    for name in ("through_gateway", "identity_direct"):
        r = report[name]
        lat = r["latency_ms"]
        print(
            f"{name:16} {r['per_second']:8.1f} sign-ins/s = {100 * r['ratio_to_hashing_limit']:5.1f} % of the limit "
            f"around it ({r['hashing_limit_around']}/s); "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms; failures {r['failures'] or 'none'}"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_isolated(lambda settings: run(args, settings))
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    return 0 if report["ok"] else 1
