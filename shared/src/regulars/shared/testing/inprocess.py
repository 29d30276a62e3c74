"""A service in the test process on the real PostgreSQL, called as the gateway calls it.

``serve(service, settings, clock)`` starts the service's application (no consumers: the tests
hand events to the use cases themselves) with a movable ``Clock``; ``Api.call`` sends the
internal token and a principal's headers and answers ``(status, body)``."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared import clock
from regulars.shared.contracts.identity import BookingPolicy, BusinessSettings, BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.http.handlers import CLOCK
from regulars.shared.http.internal import Principal
from regulars.shared.service import Service, build_app, no_consumers
from regulars.shared.settings import Settings
from regulars.shared.tenancy import apply_snapshot


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


def service_fixtures(service: Service) -> tuple[Any, Any]:
    """A conftest's ``api, reset_clock = service_fixtures(SERVICE)``: the service for the session,
    its clock back at ``start()`` before each test."""

    @pytest.fixture(scope="session")
    async def api(migrated: Settings) -> AsyncIterator[Api]:
        async with serve(service, migrated) as running:
            yield running

    @pytest.fixture(autouse=True)
    def reset_clock(api: Api) -> None:
        api.clock.now = start()

    return api, reset_clock


@asynccontextmanager
async def serve(service: Service, settings: Settings) -> AsyncIterator[Api]:
    """``service`` on a free port with a small pool (the machine's PostgreSQL is shared) and no
    consumers (the stack's processes consume from the same queues)."""
    moving = Clock()
    app = build_app(
        dataclasses.replace(service, consumers=no_consumers), settings.model_copy(update={"db_pool_size": 4})
    )
    app[CLOCK] = moving  # type: ignore[misc]  # the test clock is a Clock that moves
    server = TestServer(app)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield Api(str(server.make_url("")).rstrip("/"), settings.internal_token, http, moving)
    finally:
        await server.close()


async def project_business(
    engine: AsyncEngine,
    *,
    timezone: str = "Europe/Madrid",
    client_logins: str = "optional",
    org_id: uuid.UUID | None = None,
    client_database: str = "global",
    vertical: str = "salon",
    policy: BookingPolicy | None = None,
) -> BusinessSnapshot:
    """A business of its own (or ``org_id``'s) organization, as identity's event would put it into
    the projection ``engine``'s service keeps."""
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
    async with UnitOfWork(engine) as uow:
        await apply_snapshot(uow.conn, snapshot)
    return snapshot
