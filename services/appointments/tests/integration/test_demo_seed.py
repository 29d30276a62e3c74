"""The demo catalog: seeded once the businesses arrive, the same after a second run."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.adapters.tables import catalog_services, products, staff, working_hours
from regulars.appointments.service_layer.demo import CATALOG, seed_demo
from regulars.shared.contracts.identity import BusinessSettings, BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.internal import Principal
from regulars.shared.tenancy import apply_snapshot
from regulars.shared.testing.inprocess import Api

pytestmark = [pytest.mark.integration, pytest.mark.clock]


async def counts(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return [
            int(await conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
            for t in (staff, catalog_services, products, working_hours)
        ]


async def test_demo_catalog_is_seeded_idempotently(api: Api, engines: dict[str, AsyncEngine]) -> None:
    engine = engines["appointments"]
    run = uuid.uuid4().hex[:6]
    slugs = {name: f"{name}-{run}" for name in CATALOG}  # the real demo slugs stay free for e2e tests
    result = await seed_demo(engine, timeout=0.5, slugs=slugs)
    assert result["missing"] == sorted(slugs.values())  # nothing before the businesses arrive
    org = uuid.uuid4()
    snapshots = {}
    for name, zone, currency, vertical in (
        ("demo-salon", "Europe/Madrid", "EUR", "salon"),
        ("demo-salon-uptown", "Europe/Madrid", "EUR", "salon"),
        ("happy-paws", "America/New_York", "USD", "pet"),
    ):
        slug = slugs[name]
        snapshots[name] = BusinessSnapshot(
            business_id=uuid.uuid4(), org_id=org, org_name="Demo", client_database="global", slug=slug,
            name=slug, vertical=vertical, timezone=zone, currency=currency, default_locale="en",  # type: ignore[arg-type]
            settings=BusinessSettings(), version=1,
        )  # fmt: skip
        async with UnitOfWork(engine) as uow:
            await apply_snapshot(uow.conn, snapshots[name])
    before = await counts(engine)
    first = await seed_demo(engine, timeout=5, slugs=slugs)
    assert first["missing"] == []
    after_first = await counts(engine)
    await seed_demo(engine, timeout=5, slugs=slugs)
    assert await counts(engine) == after_first
    assert after_first[0] - before[0] == 7  # staff of the three businesses

    paws = snapshots["happy-paws"]
    principal = Principal(paws.org_id, paws.business_id)
    _, services = await api.call("GET", "/internal/catalog/services", principal)
    groom = next(s for s in services["services"] if s["name"] == "Full groom, small dog")
    assert groom["currency"] == "USD"
    assert {q["id"] for q in groom["intake_questions"]} == {"temperament", "vaccinated"}
    # The next Wednesday by the service's clock: the groomer opens at 08:00 in New York.
    new_york = ZoneInfo("America/New_York")
    today = api.clock.now.astimezone(new_york).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    status, slots = await api.call(
        "GET", "/internal/availability", principal,
        params={"service_id": groom["id"], "from": wednesday.isoformat(), "to": wednesday.isoformat()},
    )  # fmt: skip
    assert status == 200
    assert slots["slots"][0]["start"] == datetime.combine(wednesday, time(8, 0), tzinfo=new_york).isoformat()
