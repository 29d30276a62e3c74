"""The business's catalog: services, staff, weekly hours, time off, retail products."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import (
    catalog_services,
    products,
    service_staff,
    staff,
    time_off,
    working_hours,
)
from regulars.appointments.domain.catalog import (
    ProductSpec,
    ServiceSpec,
    StaffSpec,
    TimeOffSpec,
    WeeklyHoursSpec,
)
from regulars.appointments.domain.errors import Invalid, NotFound
from regulars.shared.contracts.identity import BusinessSnapshot


@dataclass(frozen=True)
class Service:
    """A service of the catalog, with who performs it (active staff only, in public lists)."""

    id: uuid.UUID
    name: str
    description: str
    category: str
    duration_minutes: int
    buffer_minutes: int
    price_minor: int
    currency: str
    online_booking: bool
    prepayment_required: bool
    intake_questions: list[dict[str, Any]]
    active: bool
    staff_ids: list[uuid.UUID]


@dataclass(frozen=True)
class StaffMember:
    """A staff member, with the services they perform (bookable ones only, in public lists)."""

    id: uuid.UUID
    name: str
    title: str
    active: bool
    service_ids: list[uuid.UUID]


@dataclass(frozen=True)
class WorkingBlock:
    """A weekly working block: weekday 0 (Monday) to 6, wall-clock times in the business's zone."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class TimeOff:
    """A staff member's time away."""

    id: uuid.UUID
    staff_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True)
class Product:
    """A retail product the business sells with bookings (R-A5)."""

    id: uuid.UUID
    name: str
    description: str
    price_minor: int
    currency: str
    stock: int
    active: bool


async def _check_staff(conn: AsyncConnection, business_id: uuid.UUID, staff_ids: list[uuid.UUID]) -> None:
    if not staff_ids:
        return
    found = set(
        (
            await conn.execute(
                sa.select(staff.c.id).where(staff.c.business_id == business_id, staff.c.id.in_(staff_ids))
            )
        ).scalars()
    )
    missing = [str(s) for s in staff_ids if s not in found]
    if missing:
        raise Invalid("unknown_staff", f"No staff member with id {', '.join(missing)} works here.")


async def _check_services(conn: AsyncConnection, business_id: uuid.UUID, service_ids: list[uuid.UUID]) -> None:
    if not service_ids:
        return
    found = set(
        (
            await conn.execute(
                sa.select(catalog_services.c.id).where(
                    catalog_services.c.business_id == business_id, catalog_services.c.id.in_(service_ids)
                )
            )
        ).scalars()
    )
    missing = [str(s) for s in service_ids if s not in found]
    if missing:
        raise Invalid("unknown_service", f"No service with id {', '.join(missing)} is offered here.")


def _service_values(spec: ServiceSpec) -> dict[str, Any]:
    values = spec.model_dump(exclude={"staff_ids", "intake_questions"})
    values["intake_questions"] = [q.model_dump() for q in spec.intake_questions]
    return values


async def save_service(
    conn: AsyncConnection, business: BusinessSnapshot, spec: ServiceSpec, service_id: uuid.UUID | None = None
) -> Service:
    """Create a service, or replace one (``service_id``) with ``spec``."""
    if spec.currency != business.currency:
        raise Invalid("currency_mismatch", f"This business charges in {business.currency}.")
    await _check_staff(conn, business.business_id, spec.staff_ids)
    if service_id is None:
        service_id = (
            await conn.execute(
                sa.insert(catalog_services)
                .values(business_id=business.business_id, **_service_values(spec))
                .returning(catalog_services.c.id)
            )
        ).scalar_one()
    else:
        updated = await conn.execute(
            sa.update(catalog_services)
            .where(catalog_services.c.id == service_id, catalog_services.c.business_id == business.business_id)
            .values(**_service_values(spec))
        )
        if updated.rowcount == 0:
            raise NotFound("service_not_found", "Service not found.")
        await conn.execute(sa.delete(service_staff).where(service_staff.c.service_id == service_id))
    if spec.staff_ids:
        await conn.execute(
            sa.insert(service_staff),
            [
                {"service_id": service_id, "staff_id": s, "business_id": business.business_id}
                for s in dict.fromkeys(spec.staff_ids)
            ],
        )
    return await get_service(conn, business.business_id, service_id)


async def save_staff(
    conn: AsyncConnection, business: BusinessSnapshot, spec: StaffSpec, staff_id: uuid.UUID | None = None
) -> StaffMember:
    """Create a staff member, or replace one (``staff_id``) with ``spec``."""
    values = spec.model_dump(exclude={"service_ids"})
    if spec.service_ids is not None:
        await _check_services(conn, business.business_id, spec.service_ids)
    if staff_id is None:
        staff_id = (
            await conn.execute(
                sa.insert(staff).values(business_id=business.business_id, **values).returning(staff.c.id)
            )
        ).scalar_one()
    else:
        updated = await conn.execute(
            sa.update(staff).where(staff.c.id == staff_id, staff.c.business_id == business.business_id).values(**values)
        )
        if updated.rowcount == 0:
            raise NotFound("staff_not_found", "Staff member not found.")
    if spec.service_ids is not None:
        await conn.execute(sa.delete(service_staff).where(service_staff.c.staff_id == staff_id))
        if spec.service_ids:
            await conn.execute(
                sa.insert(service_staff),
                [
                    {"service_id": s, "staff_id": staff_id, "business_id": business.business_id}
                    for s in dict.fromkeys(spec.service_ids)
                ],
            )
    return await get_staff(conn, business.business_id, staff_id)


async def set_hours(
    conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID, spec: WeeklyHoursSpec
) -> list[WorkingBlock]:
    """Replace a staff member's weekly hours."""
    await get_staff(conn, business_id, staff_id)
    await conn.execute(sa.delete(working_hours).where(working_hours.c.staff_id == staff_id))
    if spec.blocks:
        await conn.execute(
            sa.insert(working_hours),
            [
                {
                    "business_id": business_id,
                    "staff_id": staff_id,
                    "weekday": b.weekday,
                    "start_time": b.start,
                    "end_time": b.end,
                }
                for b in spec.blocks
            ],
        )
    return await _hours(conn, business_id, staff_id)


async def get_hours(conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID) -> list[WorkingBlock]:
    """A staff member's weekly hours, by weekday and start."""
    await get_staff(conn, business_id, staff_id)
    return await _hours(conn, business_id, staff_id)


async def _hours(conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID) -> list[WorkingBlock]:
    rows = await conn.execute(
        sa.select(working_hours)
        .where(working_hours.c.business_id == business_id, working_hours.c.staff_id == staff_id)
        .order_by(working_hours.c.weekday, working_hours.c.start_time)
    )
    return [WorkingBlock(r.weekday, r.start_time, r.end_time) for r in rows]


async def add_time_off(
    conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID, spec: TimeOffSpec
) -> TimeOff:
    """Add time off to a staff member's calendar."""
    await get_staff(conn, business_id, staff_id)
    row = (
        await conn.execute(
            sa.insert(time_off)
            .values(business_id=business_id, staff_id=staff_id, **spec.model_dump())
            .returning(time_off)
        )
    ).one()
    return _time_off(row)


async def list_time_off(conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID) -> list[TimeOff]:
    """A staff member's time off, by start."""
    await get_staff(conn, business_id, staff_id)
    rows = await conn.execute(
        sa.select(time_off)
        .where(time_off.c.business_id == business_id, time_off.c.staff_id == staff_id)
        .order_by(time_off.c.starts_at)
    )
    return [_time_off(r) for r in rows]


async def delete_time_off(conn: AsyncConnection, business_id: uuid.UUID, time_off_id: uuid.UUID) -> None:
    """Remove time off of the business."""
    deleted = await conn.execute(
        sa.delete(time_off).where(time_off.c.id == time_off_id, time_off.c.business_id == business_id)
    )
    if deleted.rowcount == 0:
        raise NotFound("time_off_not_found", "Time off not found.")


def _time_off(row: Any) -> TimeOff:
    return TimeOff(row.id, row.staff_id, row.starts_at, row.ends_at, row.reason)


async def save_product(
    conn: AsyncConnection, business: BusinessSnapshot, spec: ProductSpec, product_id: uuid.UUID | None = None
) -> Product:
    """Create a product, or replace one (``product_id``) with ``spec``."""
    if spec.currency != business.currency:
        raise Invalid("currency_mismatch", f"This business charges in {business.currency}.")
    if product_id is None:
        row = (
            await conn.execute(
                sa.insert(products).values(business_id=business.business_id, **spec.model_dump()).returning(products)
            )
        ).one()
    else:
        row = (
            await conn.execute(
                sa.update(products)
                .where(products.c.id == product_id, products.c.business_id == business.business_id)
                .values(**spec.model_dump())
                .returning(products)
            )
        ).first()
        if row is None:
            raise NotFound("product_not_found", "Product not found.")
    return _product(row)


async def list_products(conn: AsyncConnection, business_id: uuid.UUID, *, public: bool) -> list[Product]:
    """Products by name; the public list holds only active products in stock."""
    query = sa.select(products).where(products.c.business_id == business_id).order_by(products.c.name)
    if public:
        query = query.where(products.c.active, products.c.stock > 0)
    return [_product(r) for r in await conn.execute(query)]


def _product(row: Any) -> Product:
    return Product(row.id, row.name, row.description, row.price_minor, row.currency, row.stock, row.active)


async def list_services(
    conn: AsyncConnection, business_id: uuid.UUID, *, public: bool, service_id: uuid.UUID | None = None
) -> list[Service]:
    """Services; the public list holds only active services bookable online, with active staff."""
    query = (
        sa.select(catalog_services)
        .where(catalog_services.c.business_id == business_id)
        .order_by(catalog_services.c.category, catalog_services.c.name)
    )
    if service_id is not None:
        query = query.where(catalog_services.c.id == service_id)
    if public:
        query = query.where(catalog_services.c.active, catalog_services.c.online_booking)
    rows = (await conn.execute(query)).all()
    links = sa.select(service_staff.c.service_id, service_staff.c.staff_id).join(
        staff, staff.c.id == service_staff.c.staff_id
    )
    links = links.where(service_staff.c.business_id == business_id).order_by(staff.c.name)
    if public:
        links = links.where(staff.c.active)
    staff_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in await conn.execute(links):
        staff_of.setdefault(link.service_id, []).append(link.staff_id)
    return [
        Service(
            id=r.id,
            name=r.name,
            description=r.description,
            category=r.category,
            duration_minutes=r.duration_minutes,
            buffer_minutes=r.buffer_minutes,
            price_minor=r.price_minor,
            currency=r.currency,
            online_booking=r.online_booking,
            prepayment_required=r.prepayment_required,
            intake_questions=list(r.intake_questions),
            active=r.active,
            staff_ids=staff_of.get(r.id, []),
        )
        for r in rows
    ]


async def get_service(conn: AsyncConnection, business_id: uuid.UUID, service_id: uuid.UUID) -> Service:
    """One service of the business, bookable online or not."""
    found = await list_services(conn, business_id, public=False, service_id=service_id)
    if not found:
        raise NotFound("service_not_found", "Service not found.")
    return found[0]


async def list_staff(
    conn: AsyncConnection, business_id: uuid.UUID, *, public: bool, staff_id: uuid.UUID | None = None
) -> list[StaffMember]:
    """Staff by name; the public list holds only active staff, with the services bookable online."""
    query = sa.select(staff).where(staff.c.business_id == business_id).order_by(staff.c.name)
    if staff_id is not None:
        query = query.where(staff.c.id == staff_id)
    if public:
        query = query.where(staff.c.active)
    rows = (await conn.execute(query)).all()
    links = sa.select(service_staff.c.staff_id, service_staff.c.service_id).where(
        service_staff.c.business_id == business_id
    )
    if public:
        links = links.join(catalog_services, catalog_services.c.id == service_staff.c.service_id).where(
            catalog_services.c.active, catalog_services.c.online_booking
        )
    services_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in await conn.execute(links):
        services_of.setdefault(link.staff_id, []).append(link.service_id)
    return [StaffMember(r.id, r.name, r.title, r.active, sorted(services_of.get(r.id, []), key=str)) for r in rows]


async def get_staff(conn: AsyncConnection, business_id: uuid.UUID, staff_id: uuid.UUID) -> StaffMember:
    """One staff member of the business, active or not."""
    found = await list_staff(conn, business_id, public=False, staff_id=staff_id)
    if not found:
        raise NotFound("staff_not_found", "Staff member not found.")
    return found[0]
