"""Use cases for organizations, businesses and business API keys."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.identity.adapters.tables import api_keys, businesses, organizations
from regulars.identity.domain.businesses import BusinessChanges, BusinessSpec, OrganizationSpec
from regulars.identity.domain.errors import BusinessNotFound, Conflict
from regulars.shared.contracts.identity import (
    BusinessCreated,
    BusinessSnapshot,
    BusinessUpdated,
)
from regulars.shared.db.rows import model_of
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.tokens import token_digest

API_KEY_PREFIX = "rgk_"


async def ensure_organization(uow: UnitOfWork, spec: OrganizationSpec) -> uuid.UUID:
    """The organization with ``spec.slug``, created if missing (its mode is fixed once set)."""
    row = (await uow.conn.execute(sa.select(organizations).where(organizations.c.slug == spec.slug))).first()
    if row is not None:
        if row.client_database != spec.client_database:
            raise Conflict(
                "client_database_fixed",
                f"Organization {spec.slug!r} already uses a {row.client_database} client database.",
            )
        return uuid.UUID(str(row.org_id))
    org_id = uuid.uuid4()
    await uow.conn.execute(
        sa.insert(organizations).values(
            org_id=org_id, slug=spec.slug, name=spec.name, client_database=spec.client_database
        )
    )
    return org_id


async def snapshot_of(conn: AsyncConnection, *conditions: Any) -> BusinessSnapshot | None:
    """The business matching ``conditions`` with its organization, as other services see it; None if none."""
    row = (
        await conn.execute(
            sa.select(
                businesses,
                organizations.c.name.label("org_name"),
                organizations.c.client_database,
            )
            .join(organizations, organizations.c.org_id == businesses.c.org_id)
            .where(*conditions)
        )
    ).first()
    return None if row is None else model_of(BusinessSnapshot, row)


async def get_business_by_slug(conn: AsyncConnection, slug: str) -> BusinessSnapshot:
    """The business called ``slug``; 404 ``business_not_found`` otherwise."""
    snapshot = await snapshot_of(conn, businesses.c.slug == slug)
    if snapshot is None:
        raise BusinessNotFound(slug)
    return snapshot


async def create_business(uow: UnitOfWork, org_id: uuid.UUID, spec: BusinessSpec) -> BusinessSnapshot:
    """Create a business in an organization; emits ``identity.business.created.v1``."""
    exists = await uow.conn.scalar(sa.select(businesses.c.business_id).where(businesses.c.slug == spec.slug))
    if exists is not None:
        raise Conflict("slug_taken", f"A business is already called {spec.slug!r}.")
    business_id = uuid.uuid4()
    await uow.conn.execute(
        sa.insert(businesses).values(
            business_id=business_id,
            org_id=org_id,
            version=1,
            **spec.model_dump(mode="json"),
        )
    )
    snapshot = await snapshot_of(uow.conn, businesses.c.business_id == business_id)
    assert snapshot is not None
    await uow.publish(BusinessCreated(org_id=org_id, business_id=business_id, business=snapshot))
    return snapshot


async def update_business(uow: UnitOfWork, slug: str, changes: BusinessChanges) -> BusinessSnapshot:
    """Apply the given changes; emits ``identity.business.updated.v1`` when anything changed."""
    current = (await uow.conn.execute(sa.select(businesses).where(businesses.c.slug == slug).with_for_update())).first()
    if current is None:
        raise BusinessNotFound(slug)
    # Only top-level fields left out mean "unchanged": a None inside the settings
    # (no logo, say) is a value, and dropping it would make every save look like a change.
    wanted = {name: value for name, value in changes.model_dump(mode="json").items() if value is not None}
    changed = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    if changed:
        await uow.conn.execute(
            sa.update(businesses)
            .where(businesses.c.business_id == current.business_id)
            .values(**changed, version=businesses.c.version + 1, updated_at=sa.func.now())
        )
    snapshot = await get_business_by_slug(uow.conn, slug)
    if changed:
        await uow.publish(
            BusinessUpdated(
                org_id=snapshot.org_id,
                business_id=snapshot.business_id,
                business=snapshot,
                changed=sorted(changed),
            )
        )
    return snapshot


async def ensure_business(
    engine: AsyncEngine, org: OrganizationSpec, spec: BusinessSpec
) -> tuple[BusinessSnapshot, bool]:
    """Create the business, or bring an existing one to ``spec``; True when created."""
    async with UnitOfWork(engine) as uow:
        org_id = await ensure_organization(uow, org)
        existing = await snapshot_of(uow.conn, businesses.c.slug == spec.slug)
        if existing is None:
            return await create_business(uow, org_id, spec), True
        if existing.org_id != org_id:
            raise Conflict("slug_taken", f"{spec.slug!r} belongs to another organization.")
        fields = spec.model_dump(exclude={"slug"})
        return await update_business(uow, spec.slug, BusinessChanges.model_validate(fields)), False


@dataclass(frozen=True)
class IssuedApiKey:
    """A new API key: its secret is shown once."""

    key_id: uuid.UUID
    business_slug: str
    name: str
    secret: str  # shown once; only its hash is stored


async def create_api_key(uow: UnitOfWork, slug: str, name: str) -> IssuedApiKey:
    """A new API key for the business; only its hash is stored."""
    business = await get_business_by_slug(uow.conn, slug)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = uuid.uuid4()
    await uow.conn.execute(
        sa.insert(api_keys).values(
            key_id=key_id,
            business_id=business.business_id,
            name=name,
            prefix=secret[:10],
            key_hash=token_digest(secret),
        )
    )
    return IssuedApiKey(key_id=key_id, business_slug=slug, name=name, secret=secret)


async def revoke_api_keys(uow: UnitOfWork, slug: str, name: str) -> int:
    """Revoke the business's live keys called ``name``; how many."""
    business = await get_business_by_slug(uow.conn, slug)
    result = await uow.conn.execute(
        sa.update(api_keys)
        .where(
            api_keys.c.business_id == business.business_id,
            api_keys.c.name == name,
            api_keys.c.revoked_at.is_(None),
        )
        .values(revoked_at=sa.func.now())
    )
    return int(result.rowcount)


async def business_for_api_key(conn: AsyncConnection, secret: str) -> BusinessSnapshot | None:
    """The business a live API key belongs to, or None."""
    if not secret.startswith(API_KEY_PREFIX):
        return None
    business_id = await conn.scalar(
        sa.select(api_keys.c.business_id).where(
            api_keys.c.key_hash == token_digest(secret), api_keys.c.revoked_at.is_(None)
        )
    )
    if business_id is None:
        return None
    return await snapshot_of(conn, businesses.c.business_id == business_id)
