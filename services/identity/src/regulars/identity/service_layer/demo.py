"""Demo data for newcomers: two organizations, three businesses, one API key each, and a
verified demo client (the same email and password on both organizations).

Re-runnable: businesses are brought to the state below, and an API key already
written to the demo file is kept while it still works.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.adapters.tables import client_accounts
from regulars.identity.domain.businesses import BusinessSpec, OrganizationSpec
from regulars.identity.service_layer import businesses as uc
from regulars.identity.service_layer.clients import account_by_email, client_event, insert_account
from regulars.shared import links
from regulars.shared.contracts.identity import (
    BookingPolicy,
    Branding,
    BusinessSettings,
    BusinessSnapshot,
    ClientEmailVerified,
    ClientRegistered,
    Sections,
)
from regulars.shared.db import UnitOfWork
from regulars.shared.settings import Settings

DEMO_KEY_NAME = "demo"
DEMO_CLIENT = {"email": "demo.client@example.com", "password": "demo-client-2026", "first_name": "Dana"}

SALON_GROUP = OrganizationSpec(slug="demo-salon-group", name="Demo Salon Group", client_database="global")
HAPPY_PAWS = OrganizationSpec(slug="happy-paws", name="Happy Paws", client_database="per_business")

DEMO: list[tuple[OrganizationSpec, BusinessSpec]] = [
    (
        SALON_GROUP,
        BusinessSpec(
            slug="demo-salon",
            name="Demo Salon",
            vertical="salon",
            timezone="Europe/Madrid",
            currency="EUR",
            default_locale="en",
            settings=BusinessSettings(
                client_logins="optional",
                sections=Sections(referrals=True, rewards=True),
                booking_policy=BookingPolicy(cancel_window_hours=24, reschedule_window_hours=12),
                # Plum: white text on it has a contrast of 9.6:1.
                branding=Branding(brand_color="#7a1f5c"),
            ),
        ),
    ),
    (
        SALON_GROUP,
        BusinessSpec(
            slug="demo-salon-uptown",
            name="Demo Salon Uptown",
            vertical="salon",
            timezone="Europe/Madrid",
            currency="EUR",
            default_locale="es",
            settings=BusinessSettings(client_logins="required", sections=Sections(rewards=True)),
        ),
    ),
    (
        HAPPY_PAWS,
        BusinessSpec(
            slug="happy-paws",
            name="Happy Paws Grooming",
            vertical="pet",
            timezone="America/New_York",
            currency="USD",
            default_locale="en",
            settings=BusinessSettings(
                client_logins="optional",
                sections=Sections(memberships=False, referrals=True),
                booking_policy=BookingPolicy(online_reschedule=True, cancel_window_hours=48),
            ),
        ),
    ),
]


async def seed_demo(engine: AsyncEngine, settings: Settings, out: Path, now: datetime) -> dict[str, Any]:
    """Bring the demo businesses, keys and client to their state; write and return the demo file's contents."""
    previous: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}  # noqa: ASYNC240
    old_keys = {b["slug"]: b.get("api_key") for b in previous.get("businesses", [])}
    listed = []
    hashing = PasswordHashing.from_settings(settings)
    password_hash = await hashing.hash(DEMO_CLIENT["password"])
    hashing.close()
    client_businesses = []
    for org, spec in DEMO:
        snapshot, _created = await uc.ensure_business(engine, org, spec)
        key = old_keys.get(spec.slug)
        async with UnitOfWork(engine) as uow:
            still_valid = key and await uc.business_for_api_key(uow.conn, key)
            if not still_valid or still_valid.business_id != snapshot.business_id:
                await uc.revoke_api_keys(uow, spec.slug, DEMO_KEY_NAME)
                key = (await uc.create_api_key(uow, spec.slug, DEMO_KEY_NAME)).secret
        if spec.slug in ("demo-salon", "happy-paws"):  # one account per organization
            await ensure_demo_client(engine, snapshot, password_hash, now)
            client_businesses.append(spec.slug)
        listed.append(
            {
                "slug": spec.slug,
                "name": spec.name,
                "organization": org.name,
                "client_database": org.client_database,
                "business_id": str(snapshot.business_id),
                "api_key": key,
                "widget_url": links.widget_link(settings.public_url, spec.slug),
                "profile_url": f"{settings.public_url}/api/v1/b/{spec.slug}",
            }
        )
    demo = {
        "gateway_url": settings.public_url,
        "health_url": f"{settings.public_url}/healthz",
        "mailbox_url": f"http://127.0.0.1:{settings.mailbox_http_port}/",
        "businesses": listed,
        "demo_client": {
            "email": DEMO_CLIENT["email"],
            "password": DEMO_CLIENT["password"],
            "note": "a verified client account on the businesses listed (one account per organization)",
            "businesses": client_businesses,
        },
    }
    _write_private(out, json.dumps(demo, indent=2) + "\n")
    return demo


async def ensure_demo_client(
    engine: AsyncEngine, business: BusinessSnapshot, password_hash: str, now: datetime
) -> None:
    """The demo client, verified, with the known password (reset to it on every seed)."""
    async with UnitOfWork(engine) as uow:
        existing = await account_by_email(uow.conn, business, DEMO_CLIENT["email"])
        if existing is not None:
            await uow.conn.execute(
                sa.update(client_accounts)
                .where(client_accounts.c.account_id == existing.account_id)
                .values(password_hash=password_hash, email_verified_at=existing.email_verified_at or now)
            )
            return
        account = await insert_account(
            uow.conn,
            business,
            DEMO_CLIENT["email"],
            now,
            email_verified_at=now,
            password_hash=password_hash,
            first_name=DEMO_CLIENT["first_name"],
            last_name="Demo",
            locale=business.default_locale,
            updated_at=now,
        )
        # Other services learn of the demo client as of any other (registered, then verified).
        await uow.publish(client_event(ClientRegistered, business, account))
        await uow.publish(client_event(ClientEmailVerified, business, account))


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)  # it holds API keys
