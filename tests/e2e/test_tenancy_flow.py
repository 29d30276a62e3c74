"""Tenancy, end to end: a business created in identity reaches every projection."""

from __future__ import annotations

import asyncio
import time
import uuid

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.db.tables import business_projection
from regulars.shared.testing.infra import Stack, identity_cli

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
    deadline = time.monotonic() + timeout
    found: dict[str, int | None] = {}
    while time.monotonic() < deadline:
        found = await projection_versions(engines, business_id)
        if all(v == version for v in found.values()):
            return found
        await asyncio.sleep(0.2)
    return found


async def test_business_created_and_updated_reach_every_projection(
    stack: Stack, engines: dict[str, AsyncEngine]
) -> None:
    slug = f"flow-{uuid.uuid4().hex[:8]}"
    created = identity_cli(
        stack,
        "businesses", "create", "--org", f"org-{slug}", "--org-name", "Flow Org",
        "--client-database", "global", "--slug", slug, "--name", "Flow Salon",
        "--timezone", "Europe/Rome", "--currency", "EUR", "--locale", "it",
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
