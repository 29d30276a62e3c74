"""Pet profiles on pet businesses (R-I9): the client's fields, and staff-only fields kept apart."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.identity.adapters.tables import pets
from regulars.identity.domain.accounts import Birthday
from regulars.identity.domain.errors import Conflict, Invalid, NoSuch, NotFound
from regulars.identity.service_layer.clients import Identity, account_by_id
from regulars.identity.service_layer.profile import Me
from regulars.shared.contracts.identity import BusinessSnapshot, Pet, StaffPet
from regulars.shared.db.rows import model_of
from regulars.shared.db.unit_of_work import UnitOfWork

MAX_PETS = 50


PetText = Annotated[str, Field(min_length=1, max_length=100)]


class PetForm(BaseModel):
    """A new pet, as the client describes it."""

    model_config = ConfigDict(extra="forbid")
    name: PetText
    species: PetText
    breed: Annotated[str, Field(max_length=100)] | None = None
    birthday: Birthday | None = None
    weight_kg: Annotated[Decimal, Field(gt=0, le=2000, decimal_places=2)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


class PetChanges(BaseModel):
    """A client's changes to a pet: fields left out stay."""

    model_config = ConfigDict(extra="forbid")
    name: PetText | None = None
    species: PetText | None = None
    breed: Annotated[str, Field(max_length=100)] | None = None
    birthday: Birthday | None = None
    weight_kg: Annotated[Decimal, Field(gt=0, le=2000, decimal_places=2)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


StaffValue = str | int | float | bool | None


class StaffPetChanges(BaseModel):
    """The staff-only fields of a pet: notes and free-form fields."""

    model_config = ConfigDict(extra="forbid")
    staff_notes: Annotated[str, Field(max_length=5000)] | None = None
    staff_fields: dict[Annotated[str, Field(min_length=1, max_length=60)], StaffValue] | None = Field(
        default=None, max_length=50
    )


def require_pet_business(business: BusinessSnapshot) -> None:
    """404 ``pets_not_offered`` unless the business is a pet business."""
    if business.vertical != "pet":
        raise NotFound("pets_not_offered", "This business does not keep pet profiles.")


def pet_view(row: Row[Any]) -> Pet:
    """A pet as its client sees it (no staff-only fields)."""
    return model_of(Pet, row)


def staff_pet_view(row: Row[Any]) -> StaffPet:
    """A pet as the business's staff see it, staff-only fields included."""
    return model_of(StaffPet, row, staff_fields=row.staff_fields or {})


async def _pet(conn: AsyncConnection, account_id: uuid.UUID, pet_id: uuid.UUID) -> Row[Any]:
    row = (await conn.execute(sa.select(pets).where(pets.c.pet_id == pet_id, pets.c.account_id == account_id))).first()
    if row is None:
        raise NoSuch("Pet")
    return row


async def list_pets(ident: Identity, me: Me) -> list[Pet]:
    """The signed-in client's pets, oldest first."""
    require_pet_business(me.business)
    async with ident.engine.connect() as conn:
        rows = await conn.execute(sa.select(pets).where(pets.c.account_id == me.account_id).order_by(pets.c.created_at))
        return [pet_view(row) for row in rows]


async def add_pet(ident: Identity, me: Me, form: PetForm, now: datetime) -> Pet:
    """Add a pet to the signed-in client's account."""
    require_pet_business(me.business)
    async with UnitOfWork(ident.engine) as uow:
        await account_by_id(uow.conn, me.business, me.account_id, for_update=True)
        count = await uow.conn.scalar(sa.select(sa.func.count()).where(pets.c.account_id == me.account_id))
        if (count or 0) >= MAX_PETS:
            raise Conflict("too_many_pets", f"An account keeps at most {MAX_PETS} pets.")
        pet_id = uuid.uuid4()
        await uow.conn.execute(
            sa.insert(pets).values(
                pet_id=pet_id, account_id=me.account_id, created_at=now, updated_at=now, **form.model_dump()
            )
        )
        return pet_view(await _pet(uow.conn, me.account_id, pet_id))


async def update_pet(ident: Identity, me: Me, pet_id: uuid.UUID, changes: PetChanges, now: datetime) -> Pet:
    """Change what was sent of one of the client's pets."""
    require_pet_business(me.business)
    values = changes.model_dump(exclude_unset=True)
    for required in ("name", "species"):
        if required in values and values[required] is None:
            raise Invalid("validation_error", f"{required} cannot be empty.")
    async with UnitOfWork(ident.engine) as uow:
        await _pet(uow.conn, me.account_id, pet_id)
        if values:
            await uow.conn.execute(sa.update(pets).where(pets.c.pet_id == pet_id).values(**values, updated_at=now))
        return pet_view(await _pet(uow.conn, me.account_id, pet_id))


async def delete_pet(ident: Identity, me: Me, pet_id: uuid.UUID) -> None:
    """Delete one of the client's pets; another account's pet is not found (R-T4)."""
    require_pet_business(me.business)
    async with UnitOfWork(ident.engine) as uow:
        await _pet(uow.conn, me.account_id, pet_id)
        await uow.conn.execute(sa.delete(pets).where(pets.c.pet_id == pet_id, pets.c.account_id == me.account_id))


async def staff_list_pets(ident: Identity, business: BusinessSnapshot, account_id: uuid.UUID) -> list[StaffPet]:
    """A client's pets with their staff-only fields, for the business's staff."""
    require_pet_business(business)
    async with ident.engine.connect() as conn:
        await account_by_id(conn, business, account_id)  # 404 for another organization's client (R-T4)
        rows = await conn.execute(sa.select(pets).where(pets.c.account_id == account_id).order_by(pets.c.created_at))
        return [staff_pet_view(row) for row in rows]


async def staff_update_pet(
    ident: Identity,
    business: BusinessSnapshot,
    account_id: uuid.UUID,
    pet_id: uuid.UUID,
    changes: StaffPetChanges,
    now: datetime,
) -> StaffPet:
    """Staff set their own notes and fields; the client never sees them (R-I9)."""
    require_pet_business(business)
    async with UnitOfWork(ident.engine) as uow:
        await account_by_id(uow.conn, business, account_id)
        await _pet(uow.conn, account_id, pet_id)
        values: dict[str, Any] = changes.model_dump(exclude_unset=True)
        if values.get("staff_fields") is None and "staff_fields" in values:
            values["staff_fields"] = {}
        if values:
            await uow.conn.execute(sa.update(pets).where(pets.c.pet_id == pet_id).values(**values, updated_at=now))
        return staff_pet_view(await _pet(uow.conn, account_id, pet_id))
