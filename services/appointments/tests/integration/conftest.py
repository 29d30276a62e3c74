"""The appointments service in-process on the real PostgreSQL and RabbitMQ, with a movable clock."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.entrypoints.common import CLOCK
from regulars.appointments.service import SERVICE
from regulars.shared import clock
from regulars.shared.contracts.identity import BookingPolicy, BusinessSettings, BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.http.internal import Principal
from regulars.shared.service import build_app, no_consumers
from regulars.shared.settings import Settings
from regulars.shared.tenancy import apply_snapshot

pytestmark = pytest.mark.integration


def start() -> datetime:
    """The service's clock when a test starts: a Monday noon, or the run's simulated now
    (--simulated-now); the tests move it themselves."""
    return clock.now() if clock.offset() else datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = field(default_factory=start)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    """Calls the service as the gateway does: internal token and principal headers."""

    base: str
    token: str
    http: aiohttp.ClientSession
    clock: Clock

    async def call(
        self,
        method: str,
        path: str,
        principal: Principal,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = {INTERNAL_TOKEN_HEADER: self.token, **principal.headers(), **(headers or {})}
        async with self.http.request(method, self.base + path, json=json, headers=sent, params=params) as response:
            body = await response.read()
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, body.decode() if body else None


@pytest.fixture(scope="session")
async def api(migrated: Settings) -> AsyncIterator[Api]:
    clock = Clock()
    # A small pool: the machine's PostgreSQL is shared with the e2e stack and other runs. No
    # consumers: the stack's processes consume from the same queues, and a consumer in this
    # process would hold deliveries whenever a test blocks the loop (the tests here hand
    # events to the consumer themselves).
    service = dataclasses.replace(SERVICE, consumers=no_consumers)
    app = build_app(service, migrated.model_copy(update={"db_pool_size": 4}))
    app[CLOCK] = clock  # type: ignore[misc]  # the test clock is a Clock that moves
    server = TestServer(app)
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        yield Api(str(server.make_url("")).rstrip("/"), migrated.internal_token, http, clock)
    await server.close()


@pytest.fixture(autouse=True)
def reset_clock(api: Api) -> None:
    api.clock.now = start()


@dataclass
class Shop:
    """A business in the projection with one service performed by two staff, open every day."""

    business: BusinessSnapshot
    admin: Principal
    guest: Principal
    service_id: str
    staff_ids: list[str]

    def client(self, account_id: uuid.UUID) -> Principal:
        return Principal(self.business.org_id, self.business.business_id, account_id)


async def make_business(
    engines: dict[str, AsyncEngine],
    *,
    timezone: str = "Europe/Madrid",
    client_logins: str = "optional",
    org_id: uuid.UUID | None = None,
    client_database: str = "global",
    vertical: str = "salon",
    policy: BookingPolicy | None = None,
) -> BusinessSnapshot:
    business_id = uuid.uuid4()
    snapshot = BusinessSnapshot(
        business_id=business_id,
        org_id=org_id or uuid.uuid4(),
        org_name="Test Org",
        client_database=client_database,  # type: ignore[arg-type]
        slug=f"b-{business_id.hex[:12]}",
        name=f"Salon {business_id.hex[:4]}",
        vertical=vertical,  # type: ignore[arg-type]
        timezone=timezone,
        currency="EUR",
        default_locale="en",
        settings=BusinessSettings(
            client_logins=client_logins,  # type: ignore[arg-type]
            booking_policy=policy or BookingPolicy(cancel_window_hours=24, reschedule_window_hours=12),
        ),
        version=1,
    )
    async with UnitOfWork(engines["appointments"]) as uow:
        await apply_snapshot(uow.conn, snapshot)
    return snapshot


async def make_shop(api: Api, engines: dict[str, AsyncEngine], **options: Any) -> Shop:
    business = await make_business(engines, **options)
    admin = Principal(business.org_id, business.business_id)
    staff_ids = []
    for name in ("Ana", "Bea"):
        status, body = await api.call("POST", "/internal/admin/staff", admin, json={"name": name})
        assert status == 201, body
        staff_ids.append(body["staff"]["id"])
        blocks = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
        status, body = await api.call(
            "PUT", f"/internal/admin/staff/{body['staff']['id']}/hours", admin, json={"blocks": blocks}
        )
        assert status == 200, body
    status, body = await api.call(
        "POST",
        "/internal/admin/services",
        admin,
        json={
            "name": "Haircut",
            "duration_minutes": 60,
            "buffer_minutes": 15,
            "price_minor": 3500,
            "currency": "EUR",
            "staff_ids": staff_ids,
            "intake_questions": [{"id": "allergies", "label": "Any allergies?", "kind": "text"}],
        },
    )
    assert status == 201, body
    return Shop(business, admin, Principal(business.org_id, business.business_id), body["service"]["id"], staff_ids)


def guest_details(email: str | None = None) -> dict[str, str]:
    return {
        "first_name": "Gina",
        "last_name": "Guest",
        "email": email or f"gina-{uuid.uuid4().hex[:8]}@example.com",
        "phone": "+34 600 000 000",
    }


async def book(
    api: Api,
    shop: Shop,
    principal: Principal,
    start: datetime,
    *,
    email: str | None = None,
    staff_id: str | None = None,
    key: str | None = None,
) -> tuple[int, Any]:
    body: dict[str, Any] = {"service_id": shop.service_id, "start": start.isoformat(), "client": guest_details(email)}
    if staff_id:
        body["staff_id"] = staff_id
    return await api.call(
        "POST", "/internal/bookings", principal, json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex}
    )


def tomorrow_at(hour: int, clock: Clock, days: int = 1) -> datetime:
    from zoneinfo import ZoneInfo

    local = (clock.now + timedelta(days=days)).astimezone(ZoneInfo("Europe/Madrid"))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)
