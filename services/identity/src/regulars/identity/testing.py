"""Helpers for identity's tests (integration and end to end): businesses, clients, outbox reads."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.tables import client_accounts
from regulars.identity.domain.accounts import Registration
from regulars.identity.domain.businesses import BusinessSpec, OrganizationSpec
from regulars.identity.service_layer import auth
from regulars.identity.service_layer.businesses import ensure_business
from regulars.identity.service_layer.clients import Caller, Identity
from regulars.identity.service_layer.profile import Me
from regulars.notifications.domain.notices import emails_for
from regulars.shared.contracts.events import EVENT_REGISTRY
from regulars.shared.contracts.identity import (
    AccountNotice,
    BusinessSettings,
    BusinessSnapshot,
    ClientDatabase,
    SignedIn,
    Vertical,
)
from regulars.shared.db.tables import outbox
from regulars.shared.domain_errors import DomainError
from regulars.shared.http.domain_errors import api_error
from regulars.shared.http.errors import ApiError
from regulars.shared.testing.gateway import fresh_ip as fresh_ip  # its old home; one function

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


async def make_business(
    ident: Identity,
    *,
    client_database: ClientDatabase = "per_business",
    vertical: Vertical = "salon",
    org_slug: str | None = None,
    client_logins: str = "optional",
) -> BusinessSnapshot:
    org = OrganizationSpec(slug=org_slug or f"org-{uuid.uuid4().hex[:10]}", name="Org", client_database=client_database)
    spec = BusinessSpec(
        slug=f"b-{uuid.uuid4().hex[:10]}",
        name="Business",
        vertical=vertical,
        settings=BusinessSettings(client_logins=client_logins),  # type: ignore[arg-type]
    )
    snapshot, _ = await ensure_business(ident.engine, org, spec)
    return snapshot


@dataclass
class Client:
    email: str
    password: str
    signed_in: SignedIn | None = None


def unique_email(tag: str = "c") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def creds(email: str, password: str = PASSWORD) -> auth.Credentials:
    return auth.Credentials(email=email, password=password)


async def error_of(attempt: Awaitable[object]) -> ApiError:
    """The HTTP answer to the domain error an attempt refuses with; fails the test when it refuses nothing."""
    try:
        await attempt
    except DomainError as exc:
        return api_error(exc)
    raise AssertionError("no error")


def caller() -> Caller:
    return Caller(ip=fresh_ip(), user_agent="pytest")


def registration(email: str, password: str = PASSWORD, **extra: Any) -> Registration:
    return Registration.model_validate(
        {"email": email, "password": password, "first_name": "Ana", "last_name": "Ruiz", **extra}
    )


async def outbox_events(engine: AsyncEngine, routing_key: str, **match: Any) -> list[dict[str, Any]]:
    """Payloads of outbox events with this key whose fields equal ``match`` (strings compared)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.payload).where(outbox.c.routing_key == routing_key).order_by(outbox.c.id)
        )
        payloads = [row.payload for row in rows]
    return [p for p in payloads if all(str(p.get(k)) == str(v) for k, v in match.items())]


async def emails_to(engine: AsyncEngine, to_email: str) -> list[dict[str, Any]]:
    """The emails identity's facts in its outbox lead to for ``to_email``, oldest first, as the
    notifications service derives them (its one mapping): template, to, category, locale, variables."""
    notices = [key for key, model in EVENT_REGISTRY.items() if issubclass(model, AccountNotice)]
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.routing_key, outbox.c.payload)
            .where(outbox.c.routing_key.in_(notices))
            .order_by(outbox.c.id)
        )
        facts = [EVENT_REGISTRY[row.routing_key].model_validate(row.payload) for row in rows]
    return [
        {
            "template": email.template,
            "to": email.to,
            "category": email.category,
            "locale": fact.locale,
            "account_id": fact.account_id,
            "variables": email.variables.model_dump(),
        }
        for fact in facts
        if isinstance(fact, AccountNotice)
        for email in emails_for(fact)
        if email.to == to_email
    ]


async def last_message(engine: AsyncEngine, to_email: str, template: str) -> dict[str, Any]:
    found = [m for m in await emails_to(engine, to_email) if m["template"] == template]
    assert found, f"no {template} message to {to_email}"
    return found[-1]


def token_of(message: dict[str, Any]) -> str:
    link = message["variables"]["link"]
    return str(link.split("token=")[1])


async def signed_up_and_verified(
    ident: Identity, business: BusinessSnapshot, email: str | None = None, now: datetime = NOW
) -> Client:
    client = Client(email=email or unique_email(), password=PASSWORD)
    await auth.register(ident, business.slug, registration(client.email), caller(), now)
    message = await last_message(ident.engine, client.email, "verify_email")
    client.signed_in = await auth.verify_email(
        ident, business.slug, auth.Verification(token=token_of(message)), caller(), now
    )
    return client


async def signed_in(ident: Identity, business: BusinessSnapshot) -> tuple[Client, Me]:
    """A new verified client, signed in, and the ``Me`` the gateway would vouch for."""
    client = await signed_up_and_verified(ident, business)
    assert client.signed_in is not None
    resolved = await auth.resolve_session(ident, business.slug, client.signed_in.session.token, NOW)
    return client, Me(business, resolved.account_id, resolved.session_id)


async def another_device(ident: Identity, business: BusinessSnapshot, client: Client) -> SignedIn:
    """The same client signed in on another device (its own session)."""
    return await auth.login(ident, business.slug, creds(client.email, client.password), caller(), NOW)


async def account_row(engine: AsyncEngine, account_id: uuid.UUID) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(sa.select(client_accounts).where(client_accounts.c.account_id == account_id))
        ).first()
