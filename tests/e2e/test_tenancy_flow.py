"""Tenancy, end to end: a business created in identity reaches every projection."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.tables import business_projection
from regulars.shared.testing.businesses import create_business
from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


async def projection_versions(engines: dict[str, AsyncEngine], business_id: str) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for service in ("appointments", "wallet", "notifications"):
        async with engines[service].connect() as conn:
            found[service] = await conn.scalar(
                sa.select(business_projection.c.version).where(
                    business_projection.c.business_id == uuid.UUID(business_id)
                )
            )
    return found


async def wait_for_versions(
    engines: dict[str, AsyncEngine], business_id: str, version: int, timeout: float = 20.0
) -> dict[str, int | None]:
    async def reached() -> dict[str, int | None] | None:
        found = await projection_versions(engines, business_id)
        return found if all(v == version for v in found.values()) else None

    result: dict[str, int | None] = await eventually(reached, timeout=timeout, every=0.2)
    return result


async def test_business_created_and_updated_reach_every_projection(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    slug = f"flow-{uuid.uuid4().hex[:8]}"
    created = create_business(
        stack, slug, org_name="Flow Org", client_database="global", name="Flow Salon", timezone="Europe/Rome",
        currency="EUR", locale="it",
    )  # fmt: skip
    business_id = str(created["business_id"])
    assert await wait_for_versions(engines, business_id, 1) == {
        "appointments": 1,
        "wallet": 1,
        "notifications": 1,
    }

    identity_cli(
        stack, "businesses", "update", "--slug", slug, "--name", "Flow Salon Centro", "--client-logins", "required"
    )
    assert set((await wait_for_versions(engines, business_id, 2)).values()) == {2}
    async with engines["wallet"].connect() as conn:
        snapshot = await conn.scalar(
            sa.select(business_projection.c.snapshot).where(business_projection.c.business_id == uuid.UUID(business_id))
        )
    assert snapshot is not None
    assert snapshot["name"] == "Flow Salon Centro"
    assert snapshot["settings"]["client_logins"] == "required"

    async with aiohttp.ClientSession() as http, http.get(f"{stack.gateway_url}/api/v1/b/{slug}") as response:
        profile = await response.json()
    assert response.status == 200
    assert profile["name"] == "Flow Salon Centro"
    assert profile["client_logins"] == "required"
    assert profile["account_scope"] == "organization"
    assert profile["default_locale"] == "it"


async def test_unknown_business_is_a_clear_404(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        for slug in ("no-such-business", "Bad_Slug!"):
            async with http.get(f"{stack.gateway_url}/api/v1/b/{slug}") as response:
                body = await response.json()
            assert response.status == 404
            assert body["error"]["code"] == "business_not_found"
            assert slug in body["error"]["message"] or "Bad_Slug" in body["error"]["message"]


async def test_healthz_reports_every_service_ready(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.gateway_url}/healthz") as response:
        body = await response.json()
    assert response.status == 200
    assert set(body["services"]) == {"identity", "appointments", "wallet", "notifications"}
    for answer in body["services"].values():
        assert answer["ready"] is True
        assert answer["checks"] == {"database": True, "broker": True}
