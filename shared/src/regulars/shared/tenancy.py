"""Each service's own projection of the businesses it serves (from identity's events)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.contracts.identity import BusinessCreated, BusinessSnapshot, BusinessUpdated
from regulars.shared.db.tables import business_projection
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.domain_errors import NotFound
from regulars.shared.messaging.consumer import EventConsumer


async def apply_snapshot(conn: AsyncConnection, snapshot: BusinessSnapshot) -> bool:
    """Upsert, keeping the newest version: events that arrive late change nothing."""
    values = {
        "business_id": snapshot.business_id,
        "org_id": snapshot.org_id,
        "slug": snapshot.slug,
        "snapshot": snapshot.model_dump(mode="json"),
        "version": snapshot.version,
        "updated_at": sa.func.now(),
    }
    insert_row = insert(business_projection).values(**values)
    upsert = insert_row.on_conflict_do_update(
        index_elements=[business_projection.c.business_id],
        set_={k: insert_row.excluded[k] for k in values if k != "business_id"},
        where=business_projection.c.version < insert_row.excluded.version,
    ).returning(business_projection.c.business_id)
    return (await conn.execute(upsert)).first() is not None


async def get_business(conn: AsyncConnection, business_id: uuid.UUID) -> BusinessSnapshot | None:
    row = (
        await conn.execute(
            sa.select(business_projection.c.snapshot).where(business_projection.c.business_id == business_id)
        )
    ).first()
    return BusinessSnapshot.model_validate(row.snapshot) if row else None


async def known_business(
    conn: AsyncConnection, business_id: uuid.UUID, org_id: uuid.UUID | None, service: str
) -> BusinessSnapshot:
    """The business, when ``service``'s projection knows it and it belongs to ``org_id`` (when given)."""
    business = await get_business(conn, business_id)
    if business is None or (org_id is not None and business.org_id != org_id):
        raise NotFound("business_not_found", f"This business is not known to the {service} service yet.")
    return business


def business_projection_consumer(service: str) -> EventConsumer:
    """The consumer that keeps ``service``'s ``businesses`` table in step with identity."""
    consumer = EventConsumer(f"{service}.tenancy")

    @consumer.on(BusinessCreated)
    async def on_created(event: BusinessCreated, uow: UnitOfWork) -> None:
        await apply_snapshot(uow.conn, event.business)

    @consumer.on(BusinessUpdated)
    async def on_updated(event: BusinessUpdated, uow: UnitOfWork) -> None:
        await apply_snapshot(uow.conn, event.business)

    return consumer
