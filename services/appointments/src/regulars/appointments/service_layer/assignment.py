"""Assigning bookings to client accounts (R-A6, R-A8, R-A9)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from regulars.appointments.adapters.tables import appointments, client_records, known_accounts
from regulars.appointments.domain.assignment import AssignedHow, bulk_assignable
from regulars.appointments.domain.errors import Conflict, Invalid, NotFound
from regulars.appointments.service_layer import clients
from regulars.appointments.service_layer.bookings import load
from regulars.appointments.service_layer.records import BookingRow, BookingScope, booking_select, facts, read_bookings
from regulars.shared.contracts import appointments as events
from regulars.shared.contracts.identity import BusinessSnapshot, ClientEmailVerified, ClientRegistered
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import normalize_email


@dataclass(frozen=True)
class AssignedAll:
    """The account one client's bookings now belong to, and the bookings that just joined it."""

    account_id: uuid.UUID
    assigned: list[uuid.UUID]


async def remember_account(uow: UnitOfWork, event: ClientRegistered | ClientEmailVerified, verified: bool) -> None:
    """Keep the account identity told of, for the assignment rules (R-A6, R-A7)."""
    values = {
        "account_id": event.account_id,
        "org_id": event.org_id,
        "scope_business_id": event.account_scope_business_id,
        "email": normalize_email(event.email),
    }
    insert = pg_insert(known_accounts).values(**values, verified_at=event.occurred_at if verified else None)
    update: dict[str, Any] = {"email": insert.excluded.email}
    if verified:
        update["verified_at"] = sa.func.coalesce(known_accounts.c.verified_at, insert.excluded.verified_at)
    await uow.conn.execute(insert.on_conflict_do_update(index_elements=[known_accounts.c.account_id], set_=update))


async def _publish_assigned(uow: UnitOfWork, ids: list[uuid.UUID], how: AssignedHow) -> None:
    if not ids:
        return
    for row in await read_bookings(uow.conn, booking_select().where(appointments.c.id.in_(ids))):
        await uow.publish(
            events.AppointmentAssigned(org_id=row.org_id, business_id=row.business_id, appointment=facts(row), how=how)
        )


async def claim_on_verification(uow: UnitOfWork, event: ClientEmailVerified) -> list[uuid.UUID]:
    """Guest (and staff) bookings made before the account existed join it once its email is
    verified (R-A6); those made while an account with the email existed do not (R-A7)."""
    await remember_account(uow, event, verified=True)
    email = normalize_email(event.email)
    scope = [appointments.c.org_id == event.org_id]
    if event.account_scope_business_id is not None:
        scope.append(appointments.c.business_id == event.account_scope_business_id)
    claimed = list(
        (
            await uow.conn.execute(
                sa.update(appointments)
                .where(
                    *scope,
                    appointments.c.email == email,
                    appointments.c.account_id.is_(None),
                    appointments.c.claimable,
                    appointments.c.deleted_at.is_(None),
                )
                .values(
                    account_id=event.account_id,
                    assigned_how="claimed_on_verification",
                    assigned_at=event.occurred_at,
                    claimable=False,
                )
                .returning(appointments.c.id, appointments.c.client_record_id)
            )
        ).all()
    )
    for _, record_id in claimed:
        await clients.link_record(uow.conn, record_id, event.account_id)
    await _publish_assigned(uow, [c[0] for c in claimed], "claimed_on_verification")
    return [c[0] for c in claimed]


async def assign_one(
    uow: UnitOfWork, business: BusinessSnapshot, appointment_id: uuid.UUID, account_id: uuid.UUID, now: datetime
) -> BookingRow:
    """Staff assign one booking to an account of this business's scope (R-A8)."""
    scope = BookingScope(business_id=business.business_id)
    row = await load(uow.conn, appointment_id, scope, for_update=True, with_products=True)
    if not await clients.account_in_scope(uow.conn, business, account_id):
        raise Invalid("unknown_account", "No client account with this id can book here.")
    if row.account_id == account_id:
        return row
    if row.account_id is not None:
        raise Conflict("already_assigned", "This booking is assigned to another account.")
    await uow.conn.execute(
        sa.update(appointments)
        .where(appointments.c.id == row.id)
        .values(account_id=account_id, assigned_how="staff_assigned", assigned_at=now, claimable=False)
    )
    await clients.link_record(uow.conn, row.client_record_id, account_id)
    await _publish_assigned(uow, [row.id], "staff_assigned")
    return await load(uow.conn, row.id, with_products=True)


async def assign_all_of_client(
    uow: UnitOfWork, business: BusinessSnapshot, client_record_id: uuid.UUID, now: datetime
) -> AssignedAll:
    """All of one client's bookings to the one account some of them already have (R-A8)."""
    record = (
        await uow.conn.execute(
            sa.select(client_records.c.id)
            .where(client_records.c.id == client_record_id, client_records.c.business_id == business.business_id)
            .with_for_update()
        )
    ).first()
    if record is None:
        raise NotFound("client_not_found", "Client not found.")
    linked = list(
        (
            await uow.conn.execute(
                sa.select(appointments.c.account_id).where(
                    appointments.c.client_record_id == client_record_id, appointments.c.deleted_at.is_(None)
                )
            )
        ).scalars()
    )
    account_id = bulk_assignable(linked)
    if account_id is None:
        raise Conflict(
            "bulk_assign_not_allowed",
            "Assign all needs at least one booking already assigned and no more than one account linked.",
        )
    ids = list(
        (
            await uow.conn.execute(
                sa.update(appointments)
                .where(
                    appointments.c.client_record_id == client_record_id,
                    appointments.c.account_id.is_(None),
                    appointments.c.deleted_at.is_(None),
                )
                .values(account_id=account_id, assigned_how="staff_assigned", assigned_at=now, claimable=False)
                .returning(appointments.c.id)
            )
        ).scalars()
    )
    await clients.link_record(uow.conn, client_record_id, account_id)
    await _publish_assigned(uow, ids, "staff_assigned")
    return AssignedAll(account_id, ids)
