"""Command line: ``.venv/bin/python -m bench.booking [options]`` from the repository root.

One run, isolated like the tests (own databases and vhost, removed at the end), against
the appointments service started as its own process:

1. availability search: ``GET /internal/availability`` (a week of one service, any of
   its staff) with ``--concurrency`` requests in flight; the reference is the same three
   queries the service runs (hours, time off, bookings overlapping the window) sent
   straight to PostgreSQL with asyncpg at the same concurrency;
2. booking: ``POST /internal/bookings`` of distinct free slots (each a new guest with
   its own Idempotency-Key); the reference is the same row inserted straight into
   ``appointments`` (the exclusion constraint included) at the same concurrency.

The figures that matter are the ratios service / PostgreSQL: how much of what the
database can do reaches clients through the HTTP layer, the slot computation, the
assignment rules and the outbox. Exit status 0 when every booking succeeded and no slot
was booked twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg

from bench.common import command_line, run_isolated
from regulars.appointments.service import SERVICE
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSettings, BusinessSnapshot
from regulars.shared.db.engine import asyncpg_dsn, make_engine
from regulars.shared.db.migrations import upgrade
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.http.internal import Principal
from regulars.shared.messaging.runtime import declare_queues
from regulars.shared.settings import Settings
from regulars.shared.tenancy import apply_snapshot
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

ZONE = "Europe/Madrid"
BLOCKED = "tstzrange($6::timestamptz, $7::timestamptz + interval '15 minutes')"  # end + the 15-minute buffer
# The service's availability query, as plain SQL (see service_layer/availability.py).
HOURS_SQL = (
    "SELECT staff_id, weekday, start_time, end_time FROM working_hours WHERE business_id = $1 AND staff_id = ANY($2)"
)
TIME_OFF_SQL = (
    "SELECT staff_id, starts_at, ends_at FROM time_off WHERE business_id = $1 AND staff_id = ANY($2) "
    "AND ends_at > $3 AND starts_at < $4"
)
BOOKED_SQL = (
    "SELECT staff_id, lower(blocked), upper(blocked) FROM appointments WHERE business_id = $1 "
    "AND staff_id = ANY($2) AND status <> 'cancelled' AND deleted_at IS NULL AND blocked && tstzrange($3, $4)"
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = command_line(
        "booking", "Availability searches and bookings per second, against the same queries on PostgreSQL."
    )
    parser.add_argument("--searches", type=int, default=300, help="availability searches (default 300)")
    parser.add_argument("--bookings", type=int, default=300, help="bookings (default 300)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    parser.add_argument("--staff", type=int, default=4, help="staff performing the service (default 4)")
    parser.add_argument("--existing", type=int, default=1500, help="bookings already in the calendar (default 1500)")
    args = parser.parse_args(argv)
    if min(args.searches, args.bookings, args.concurrency, args.staff) < 1 or args.existing < 0:
        parser.error("counts must be positive")
    return args


def summary(latencies: list[float], seconds: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {
        "count": len(ordered),
        "seconds": round(seconds, 3),
        "per_second": round(len(ordered) / seconds, 1),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


async def run_concurrently(jobs: list[Callable[[], Awaitable[None]]], concurrency: int) -> tuple[list[float], float]:
    queue = list(reversed(jobs))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            job = queue.pop()
            started = time.perf_counter()
            await job()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


class Bench:
    def __init__(self, settings: Settings, args: argparse.Namespace) -> None:
        self.settings = settings
        self.args = args
        self.business = BusinessSnapshot(
            business_id=uuid.uuid4(), org_id=uuid.uuid4(), org_name="Bench", client_database="global",
            slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench Salon", vertical="salon", timezone=ZONE,
            currency="EUR", default_locale="en", settings=BusinessSettings(), version=1,
        )  # fmt: skip
        self.principal = Principal(self.business.org_id, self.business.business_id)
        self.staff_ids: list[str] = []
        self.service_id = ""
        self.first_day = clock.now().astimezone(ZoneInfo(ZONE)).date() + timedelta(days=1)

    def slot(self, day: int, hour: int, quarter: int) -> datetime:
        local = datetime.combine(self.first_day + timedelta(days=day), datetime.min.time(), tzinfo=ZoneInfo(ZONE))
        return local.replace(hour=hour, minute=15 * quarter)

    async def call(self, http: aiohttp.ClientSession, base: str, method: str, path: str, **kw: Any) -> Any:
        headers = {
            INTERNAL_TOKEN_HEADER: self.settings.internal_token,
            **self.principal.headers(),
            **kw.pop("headers", {}),
        }
        async with http.request(method, base + path, headers=headers, **kw) as response:
            body = await response.json()
            return response.status, body

    async def catalog(self, http: aiohttp.ClientSession, base: str) -> None:
        blocks = [{"weekday": d, "start": "09:00", "end": "19:00"} for d in range(7)]
        for n in range(self.args.staff):
            status, body = await self.call(http, base, "POST", "/internal/admin/staff", json={"name": f"Staff {n}"})
            assert status == 201, body
            self.staff_ids.append(body["staff"]["id"])
            status, body = await self.call(
                http, base, "PUT", f"/internal/admin/staff/{body['staff']['id']}/hours", json={"blocks": blocks}
            )
            assert status == 200, body
        status, body = await self.call(
            http, base, "POST", "/internal/admin/services",
            json={"name": "Haircut", "duration_minutes": 45, "buffer_minutes": 15, "price_minor": 3000,
                  "currency": "EUR", "staff_ids": self.staff_ids},
        )  # fmt: skip
        assert status == 201, body
        self.service_id = body["service"]["id"]

    async def existing_bookings(self, conn: asyncpg.Connection) -> None:
        """``--existing`` bookings on odd hours of days 0-59, written straight to the table."""
        record = await conn.fetchval(
            "INSERT INTO client_records (business_id, org_id, first_name, email) VALUES ($1, $2, 'Existing', "
            "'existing@example.com') RETURNING id",
            self.business.business_id, self.business.org_id,
        )  # fmt: skip
        rows = []
        for n in range(self.args.existing):
            staff = uuid.UUID(self.staff_ids[n % len(self.staff_ids)])
            day, hour = (n // len(self.staff_ids)) % 60, 9 + 2 * ((n // (60 * len(self.staff_ids))) % 5)
            start = self.slot(day, hour, 0)
            rows.append((staff, start, start + timedelta(minutes=45)))
        await conn.executemany(
            "INSERT INTO appointments (org_id, business_id, service_id, staff_id, client_record_id, email, booked_by, "
            "starts_at, ends_at, blocked, price_minor, currency) VALUES ($1, $2, $3, $4, $5, 'existing@example.com', "
            f"'staff', $6, $7, {BLOCKED}, 3000, 'EUR') ON CONFLICT DO NOTHING",
            [(self.business.org_id, self.business.business_id, uuid.UUID(self.service_id), s, record, a, b)
             for s, a, b in rows],
        )  # fmt: skip

    def search_windows(self) -> list[tuple[datetime, datetime]]:
        return [(self.slot(n % 50, 0, 0), self.slot(n % 50 + 7, 0, 0)) for n in range(self.args.searches)]

    def booking_slots(self, offset: int) -> list[tuple[str, datetime]]:
        """Distinct free slots on even hours (the existing bookings are on odd ones), days 0-59."""
        slots = []
        for day in range(60):
            for hour in (10, 12, 14, 16):
                for staff in self.staff_ids:
                    slots.append((staff, self.slot(day, hour, 0)))
        picked = slots[offset::2]
        if len(picked) < self.args.bookings:
            raise SystemExit(f"at most {len(picked)} bookings fit the calendar; lower --bookings")
        return picked[: self.args.bookings]


async def measure(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    await upgrade(SERVICE.migrations, settings.database_url_of("appointments"), settings.db_admin_database)
    await declare_queues(settings, SERVICE.consumers(settings))
    bench = Bench(settings, args)
    engine = make_engine(settings.database_url_of("appointments"), 2)
    async with UnitOfWork(engine) as uow:
        await apply_snapshot(uow.conn, bench.business)
    await engine.dispose()

    stack = Stack(settings, Path(tempfile.mkdtemp(prefix="bench-booking-")))
    stack.start("appointments")
    base = f"http://127.0.0.1:{stack.settings.appointments_port}"
    bench.settings = stack.settings
    pool = await asyncpg.create_pool(
        asyncpg_dsn(settings.database_url_of("appointments")), min_size=args.concurrency, max_size=args.concurrency
    )
    report: dict[str, Any] = {"concurrency": args.concurrency, "staff": args.staff, "existing_bookings": args.existing}
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(connector=connector) as http:
            await eventually(lambda: ready(http, base), timeout=20.0)
            await bench.catalog(http, base)
            async with pool.acquire() as conn:
                await bench.existing_bookings(conn)
            report["availability"] = await measure_availability(bench, http, base, pool)
            report["booking"] = await measure_booking(bench, http, base, pool)
    finally:
        await pool.close()
        stack.stop_all()
    return report


async def ready(http: aiohttp.ClientSession, base: str) -> bool:
    try:
        async with http.get(base + "/health/ready") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def measure_availability(bench: Bench, http: aiohttp.ClientSession, base: str, pool: Any) -> dict[str, Any]:
    """Availability searches per second through the service and as the same three queries straight on PostgreSQL."""
    args = bench.args
    staff_uuids = [uuid.UUID(s) for s in bench.staff_ids]
    windows = bench.search_windows()
    found_slots: list[int] = []

    def search(start: datetime, end: datetime) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            params = {"service_id": bench.service_id, "from": start.isoformat(), "to": end.isoformat()}
            status, body = await bench.call(http, base, "GET", "/internal/availability", params=params)
            assert status == 200, body
            found_slots.append(len(body["slots"]))

        return job

    def raw_search(start: datetime, end: datetime) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            async with pool.acquire() as conn:
                business = bench.business.business_id
                margin = timedelta(days=1)
                await conn.fetch(HOURS_SQL, business, staff_uuids)
                await conn.fetch(TIME_OFF_SQL, business, staff_uuids, start - margin, end + margin)
                await conn.fetch(BOOKED_SQL, business, staff_uuids, start - margin, end + margin)

        return job

    raw_before = summary(*await run_concurrently([raw_search(a, b) for a, b in windows], args.concurrency))
    service = summary(*await run_concurrently([search(a, b) for a, b in windows], args.concurrency))
    raw_after = summary(*await run_concurrently([raw_search(a, b) for a, b in windows], args.concurrency))
    raw_rate = (raw_before["per_second"] + raw_after["per_second"]) / 2
    return {
        "service": service,
        "postgresql_before": raw_before,
        "postgresql_after": raw_after,
        "ratio_service_to_postgresql": round(service["per_second"] / raw_rate, 3),
        "mean_free_slots_per_search": round(statistics.fmean(found_slots), 1),
    }


async def measure_booking(bench: Bench, http: aiohttp.ClientSession, base: str, pool: Any) -> dict[str, Any]:
    """Bookings per second through the service and as the same row inserted straight; overlaps counted."""
    args = bench.args
    created: list[str] = []
    failures: list[Any] = []

    def book(n: int, staff: str, start: datetime) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            body = {
                "service_id": bench.service_id, "staff_id": staff, "start": start.isoformat(),
                "client": {"first_name": f"Guest {n}", "email": f"guest{n}@example.com",
                           "phone": "+34 600 000 000"},
            }  # fmt: skip
            status, answer = await bench.call(
                http, base, "POST", "/internal/bookings", json=body, headers={"Idempotency-Key": f"bench-{n}"}
            )
            if status == 201:
                created.append(answer["booking"]["id"])
            else:
                failures.append(answer)

        return job

    record = await pool.fetchval(
        "INSERT INTO client_records (business_id, org_id, first_name, email) VALUES ($1, $2, 'Raw', "
        "'raw@example.com') RETURNING id",
        bench.business.business_id, bench.business.org_id,
    )  # fmt: skip

    def raw_book(staff: str, start: datetime) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            async with pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO appointments (org_id, business_id, service_id, staff_id, client_record_id, "
                    "email, booked_by, starts_at, ends_at, blocked, price_minor, currency) VALUES ($1, $2, $3, "
                    f"$4, $5, 'raw@example.com', 'guest', $6, $7, {BLOCKED}, 3000, 'EUR')",
                    bench.business.org_id, bench.business.business_id, uuid.UUID(bench.service_id),
                    uuid.UUID(staff), record, start, start + timedelta(minutes=45),
                )  # fmt: skip

        return job

    api_slots = bench.booking_slots(0)
    raw_slots = bench.booking_slots(1)
    raw_book_stats = summary(*await run_concurrently([raw_book(s, t) for s, t in raw_slots], args.concurrency))
    service_book = summary(
        *await run_concurrently([book(n, s, t) for n, (s, t) in enumerate(api_slots)], args.concurrency)
    )
    double = await pool.fetchval(
        "SELECT count(*) FROM appointments a JOIN appointments b ON a.staff_id = b.staff_id AND a.id < b.id "
        "AND a.blocked && b.blocked AND a.status <> 'cancelled' AND b.status <> 'cancelled' "
        "WHERE a.business_id = $1",
        bench.business.business_id,
    )
    return {
        "service": service_book,
        "postgresql_insert": raw_book_stats,
        "ratio_service_to_postgresql": round(service_book["per_second"] / raw_book_stats["per_second"], 3),
        "booked": len(created),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "overlapping_pairs": int(double),
    }


def render(report: dict[str, Any]) -> str:
    a, b = report["availability"], report["booking"]
    return "\n".join(
        [
            f"booking benchmark: concurrency {report['concurrency']}, {report['staff']} staff, "
            f"{report['existing_bookings']} existing bookings",
            "",
            "availability search (one week, any staff)",
            f"  service        {a['service']['per_second']:>8} /s   p50 {a['service']['p50_ms']} ms   "
            f"p99 {a['service']['p99_ms']} ms   ({a['mean_free_slots_per_search']} free slots per answer)",
            f"  PostgreSQL     {a['postgresql_before']['per_second']:>8} /s before, "
            f"{a['postgresql_after']['per_second']} /s after (the same 3 queries)",
            f"  ratio          {a['ratio_service_to_postgresql']}",
            "",
            "booking (distinct free slots)",
            f"  service        {b['service']['per_second']:>8} /s   p50 {b['service']['p50_ms']} ms   "
            f"p99 {b['service']['p99_ms']} ms   booked {b['booked']}, failed {b['failed']}",
            f"  PostgreSQL     {b['postgresql_insert']['per_second']:>8} /s (the same row inserted)",
            f"  ratio          {b['ratio_service_to_postgresql']}",
            f"  overlapping bookings of one staff member: {b['overlapping_pairs']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run_isolated(lambda settings: measure(settings, args))
    print(json.dumps(report, indent=2, default=str) if args.json else render(report))
    ok = report["booking"]["failed"] == 0 and report["booking"]["overlapping_pairs"] == 0
    return 0 if ok else 1


__all__ = ["date", "main"]
