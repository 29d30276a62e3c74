"""Organizations, businesses and API keys in identity (R-T1, R-T2, R-S1..R-S4)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.tables import api_keys, organizations
from regulars.identity.domain.businesses import BusinessChanges, BusinessSpec, OrganizationSpec
from regulars.identity.service_layer import businesses as uc
from regulars.identity.service_layer.demo import seed_demo
from regulars.shared import clock
from regulars.shared.db import UnitOfWork
from regulars.shared.db.tables import outbox
from regulars.shared.domain_errors import Conflict
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import REPO, settings_env

pytestmark = pytest.mark.integration


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def events_for(engine: AsyncEngine, business_id: uuid.UUID) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(outbox.c.routing_key, outbox.c.payload).order_by(outbox.c.id))
        return [r.routing_key for r in rows if r.payload.get("business_id") == str(business_id)]


async def test_r_t1_an_organization_owns_several_businesses(engines: dict[str, AsyncEngine]) -> None:
    org = OrganizationSpec(slug=unique("group"), name="Group", client_database="global")
    first, created_first = await uc.ensure_business(engines["identity"], org, BusinessSpec(slug=unique("a"), name="A"))
    second, created_second = await uc.ensure_business(
        engines["identity"], org, BusinessSpec(slug=unique("b"), name="B")
    )
    assert created_first
    assert created_second
    assert first.org_id == second.org_id
    assert first.client_database == second.client_database == "global"


async def test_r_t2_the_client_database_mode_of_an_organization_cannot_flip(engines: dict[str, AsyncEngine]) -> None:
    slug = unique("org")
    await uc.ensure_business(
        engines["identity"], OrganizationSpec(slug=slug, name="O"), BusinessSpec(slug=unique("x"), name="X")
    )
    with pytest.raises(Conflict) as raised:
        await uc.ensure_business(
            engines["identity"],
            OrganizationSpec(slug=slug, name="O", client_database="global"),
            BusinessSpec(slug=unique("y"), name="Y"),
        )
    assert raised.value.code == "client_database_fixed"


async def test_update_emits_an_event_and_a_new_version_only_when_something_changed(
    engines: dict[str, AsyncEngine],
) -> None:
    engine = engines["identity"]
    snapshot, _ = await uc.ensure_business(
        engine, OrganizationSpec(slug=unique("o"), name="O"), BusinessSpec(slug=unique("s"), name="Salon")
    )
    async with UnitOfWork(engine) as uow:
        same = await uc.update_business(uow, snapshot.slug, BusinessChanges(name="Salon"))
    assert same.version == 1
    settings = snapshot.settings.model_copy(update={"client_logins": "required"})
    async with UnitOfWork(engine) as uow:
        changed = await uc.update_business(
            uow, snapshot.slug, BusinessChanges(settings=settings, timezone="Asia/Tokyo")
        )
    assert changed.version == 2
    assert changed.settings.client_logins == "required"
    assert changed.timezone == "Asia/Tokyo"
    assert await events_for(engine, snapshot.business_id) == [
        "identity.business.created.v1",
        "identity.business.updated.v1",
    ]


async def test_a_failed_change_leaves_no_event_behind(engines: dict[str, AsyncEngine]) -> None:
    engine = engines["identity"]
    org = OrganizationSpec(slug=unique("o"), name="O")
    taken, _ = await uc.ensure_business(engine, org, BusinessSpec(slug=unique("t"), name="Taken"))
    new_org = unique("new")

    async def new_org_with_a_taken_slug() -> None:
        async with UnitOfWork(engine) as uow:
            org_id = await uc.ensure_organization(uow, OrganizationSpec(slug=new_org, name="New"))
            await uc.create_business(uow, org_id, BusinessSpec(slug=taken.slug, name="Again"))

    with pytest.raises(Conflict) as raised:
        await new_org_with_a_taken_slug()
    assert raised.value.code == "slug_taken"
    assert await events_for(engine, taken.business_id) == ["identity.business.created.v1"]
    async with engine.connect() as conn:  # the organization created first was rolled back too
        assert await conn.scalar(sa.select(organizations.c.org_id).where(organizations.c.slug == new_org)) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("slug", "Bad Slug"), ("timezone", "Mars/Olympus"), ("currency", "euro"), ("default_locale", "fr")],
)
def test_business_fields_are_validated(field: str, value: str) -> None:
    data = {"slug": "ok-slug", "name": "Ok", field: value}
    with pytest.raises(ValidationError) as raised:
        BusinessSpec.model_validate(data)
    assert raised.value.errors()[0]["loc"] == (field,)


async def test_api_keys_are_stored_hashed_and_revocable(engines: dict[str, AsyncEngine]) -> None:
    engine = engines["identity"]
    snapshot, _ = await uc.ensure_business(
        engine, OrganizationSpec(slug=unique("o"), name="O"), BusinessSpec(slug=unique("k"), name="Keys")
    )
    async with UnitOfWork(engine) as uow:
        issued = await uc.create_api_key(uow, snapshot.slug, "pos")
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(api_keys).where(api_keys.c.key_id == issued.key_id))).one()
        assert stored.key_hash == hashlib.sha256(issued.secret.encode()).digest()
        assert issued.secret not in json.dumps(stored._asdict(), default=str)
        found = await uc.business_for_api_key(conn, issued.secret)
        assert found is not None
        assert found.business_id == snapshot.business_id
        assert await uc.business_for_api_key(conn, issued.secret + "x") is None
    async with UnitOfWork(engine) as uow:
        assert await uc.revoke_api_keys(uow, snapshot.slug, "pos") == 1
    async with engine.connect() as conn:
        assert await uc.business_for_api_key(conn, issued.secret) is None


async def test_demo_seed_is_idempotent_and_keeps_working_keys(
    engines: dict[str, AsyncEngine], migrated: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "demo.json"
    first = await seed_demo(engines["identity"], migrated, out, clock.now())
    second = await seed_demo(engines["identity"], migrated, out, clock.now())
    assert [b["slug"] for b in first["businesses"]] == ["demo-salon", "demo-salon-uptown", "happy-paws"]
    assert [b["api_key"] for b in first["businesses"]] == [b["api_key"] for b in second["businesses"]]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    async with engines["identity"].connect() as conn:
        salon = await uc.get_business_by_slug(conn, "demo-salon")
        paws = await uc.get_business_by_slug(conn, "happy-paws")
        uptown = await uc.get_business_by_slug(conn, "demo-salon-uptown")
    assert salon.version == 1  # the second run changed nothing
    assert salon.client_database == uptown.client_database == "global"
    assert salon.org_id == uptown.org_id
    assert paws.client_database == "per_business"
    assert paws.vertical == "pet"


def test_ops_command_reports_invalid_input_clearly(migrated: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "regulars.identity", "businesses", "create", "--org", "o-cli", "--slug", "cli-x",
         "--name", "X", "--timezone", "Nowhere/Land"],
        env=settings_env(migrated), cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    body = json.loads(done.stdout)
    assert body["error"] == "validation_error"
    assert body["fields"][0]["loc"] == ["timezone"]
