"""A realistic catalog for the demo businesses, brought to this state on every run (idempotent).

Waits for the businesses to reach this service's projection: they are created in
identity and arrive by event, so this runs after the services have started.
"""

from __future__ import annotations

import asyncio
import time as clock
from datetime import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.adapters.tables import catalog_services, products, staff
from regulars.appointments.domain.catalog import (
    HoursBlock,
    IntakeQuestion,
    ProductSpec,
    ServiceSpec,
    StaffSpec,
    WeeklyHoursSpec,
)
from regulars.appointments.service_layer import catalog
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.tables import business_projection
from regulars.shared.db.unit_of_work import UnitOfWork

ALLERGIES = IntakeQuestion(id="allergies", label="Allergies or sensitivities we should know about?")
FIRST_COLOUR = IntakeQuestion(id="first_colour", label="Is this your first colour with us?", kind="yes_no")
TEMPERAMENT = IntakeQuestion(
    id="temperament", label="How does your pet feel about grooming?", kind="choice",
    choices=["calm", "nervous", "reactive"], required=True,
)  # fmt: skip
VACCINATED = IntakeQuestion(id="vaccinated", label="Are vaccinations up to date?", kind="yes_no", required=True)


def _week(days: range | list[int], start: str, end: str) -> list[HoursBlock]:
    return [HoursBlock(weekday=d, start=time.fromisoformat(start), end=time.fromisoformat(end)) for d in days]


SALON_SERVICES = [
    ("Women's haircut", "Cut, wash and style.", "Hair", 60, 10, 4500, False, [ALLERGIES]),
    ("Men's haircut", "Clipper and scissor cut.", "Hair", 30, 5, 2500, False, []),
    ("Blow-dry", "Wash and blow-dry.", "Hair", 45, 5, 3000, False, []),
    ("Colour", "Full colour with gloss.", "Colour", 90, 15, 8500, True, [ALLERGIES, FIRST_COLOUR]),
    ("Balayage", "Hand-painted highlights.", "Colour", 150, 15, 14000, True, [ALLERGIES, FIRST_COLOUR]),
]
CATALOG: dict[str, dict[str, Any]] = {
    "demo-salon": {
        "staff": [
            ("Ana García", "Senior stylist", _week(range(0, 5), "09:00", "18:00") + _week([5], "10:00", "14:00")),
            ("Marco Rossi", "Colourist", _week([1, 2, 3, 4, 5], "10:00", "19:00")),
            ("Lucía Fernández", "Stylist", _week(range(0, 5), "12:00", "20:00")),
        ],
        "services": SALON_SERVICES,
        "products": [
            ("Argan oil shampoo", "250 ml", 1800, 25),
            ("Repair mask", "200 ml", 2400, 12),
            ("Heat protection spray", "150 ml", 1500, 30),
        ],
    },
    "demo-salon-uptown": {
        "staff": [
            ("Sofía Martín", "Stylist", _week([1, 2, 3, 4, 5], "10:00", "19:00")),
            ("Javier López", "Barber", _week(range(0, 6), "09:00", "15:00")),
        ],
        "services": [
            (name, description, category, minutes, buffer, price + 500, prepay, questions)
            for name, description, category, minutes, buffer, price, prepay, questions in SALON_SERVICES[:4]
        ],
        "products": [("Argan oil shampoo", "250 ml", 1800, 10), ("Beard oil", "30 ml", 1600, 8)],
    },
    "happy-paws": {
        "staff": [
            ("Emily Carter", "Groomer", _week(range(0, 5), "08:00", "17:00")),
            ("Jake Morris", "Bather", _week([2, 3, 4, 5, 6], "09:00", "18:00")),
        ],
        "services": [
            (
                "Full groom, small dog",
                "Bath, haircut, nails, ears.",
                "Grooming",
                90,
                15,
                7500,
                False,
                [TEMPERAMENT, VACCINATED],
            ),
            (
                "Full groom, large dog",
                "Bath, haircut, nails, ears.",
                "Grooming",
                120,
                15,
                11000,
                True,
                [TEMPERAMENT, VACCINATED],
            ),
            ("Bath and brush", "Bath, blow-dry and brush-out.", "Bath", 60, 10, 4500, False, [VACCINATED]),
            ("Nail trim", "Nails clipped and filed.", "Extras", 15, 5, 1500, False, []),
            (
                "Puppy's first groom",
                "A gentle introduction for puppies.",
                "Grooming",
                60,
                15,
                5500,
                False,
                [TEMPERAMENT],
            ),
        ],
        "products": [
            ("Oatmeal dog shampoo", "Gentle, 16 oz", 1600, 20),
            ("Dental chews", "Pack of 10", 1200, 40),
            ("Detangling spray", "8 oz", 1400, 15),
        ],
    },
}


async def wait_for_businesses(engine: AsyncEngine, slugs: list[str], timeout: float) -> dict[str, BusinessSnapshot]:
    """The businesses once identity's events have reached the projection."""
    deadline = clock.monotonic() + timeout
    while True:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(business_projection.c.slug, business_projection.c.snapshot).where(
                    business_projection.c.slug.in_(slugs)
                )
            )
            found = {r.slug: BusinessSnapshot.model_validate(r.snapshot) for r in rows}
        if len(found) == len(slugs) or clock.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def _id_by_name(conn: Any, table: sa.Table, business_id: Any, name: str) -> Any:
    return (
        await conn.execute(sa.select(table.c.id).where(table.c.business_id == business_id, table.c.name == name))
    ).scalar()


async def seed_business(engine: AsyncEngine, business: BusinessSnapshot, spec: dict[str, Any]) -> dict[str, int]:
    """Make one business's demo catalog (staff and hours, services, products) as ``spec`` says."""
    async with UnitOfWork(engine) as uow:
        conn = uow.conn
        staff_ids = []
        for name, title, hours in spec["staff"]:
            staff_id = await _id_by_name(conn, staff, business.business_id, name)
            saved = await catalog.save_staff(conn, business, StaffSpec(name=name, title=title), staff_id)
            staff_ids.append(saved.id)
            await catalog.set_hours(conn, business.business_id, saved.id, WeeklyHoursSpec(blocks=hours))
        for name, description, category, minutes, buffer, price, prepay, questions in spec["services"]:
            service_id = await _id_by_name(conn, catalog_services, business.business_id, name)
            await catalog.save_service(
                conn,
                business,
                ServiceSpec(
                    name=name, description=description, category=category, duration_minutes=minutes,
                    buffer_minutes=buffer, price_minor=price, currency=business.currency, staff_ids=staff_ids,
                    prepayment_required=prepay, intake_questions=questions,
                ),
                service_id,
            )  # fmt: skip
        for name, description, price, stock in spec["products"]:
            product_id = await _id_by_name(conn, products, business.business_id, name)
            if product_id is None:  # stock is the business's from then on
                await catalog.save_product(
                    conn,
                    business,
                    ProductSpec(
                        name=name, description=description, price_minor=price, currency=business.currency, stock=stock
                    ),
                )
    return {"staff": len(spec["staff"]), "services": len(spec["services"]), "products": len(spec["products"])}


async def seed_demo(engine: AsyncEngine, timeout: float, slugs: dict[str, str] | None = None) -> dict[str, Any]:
    """Seed every demo catalog; ``slugs`` maps a catalog to another business (tests use their own)."""
    targets = {name: (slugs or {}).get(name, name) for name in CATALOG}
    found = await wait_for_businesses(engine, list(targets.values()), timeout)
    seeded = {
        slug: await seed_business(engine, found[slug], CATALOG[name]) for name, slug in targets.items() if slug in found
    }
    return {"seeded": seeded, "missing": sorted(slug for slug in targets.values() if slug not in found)}
