"""The business's own client records (CRM), linked to accounts (R-I8, R-I10, R-T5)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import appointments, calendar_feeds, client_records, known_accounts
from regulars.appointments.domain.assignment import bulk_assign_offered
from regulars.shared.contracts.appointments import ClientDetails, Prefill
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.emails import normalize_email


@dataclass(frozen=True)
class ClientRecord:
    """A client record of the business, with how many of its bookings are assigned to accounts."""

    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    birthday: date | None
    account_id: uuid.UUID | None
    bookings: int
    assigned_bookings: int
    can_assign_all: bool


def account_scope_matches(business: BusinessSnapshot) -> sa.ColumnElement[bool]:
    """Accounts that work on ``business``: its organization's (global) or its own."""
    return sa.and_(
        known_accounts.c.org_id == business.org_id,
        sa.or_(
            known_accounts.c.scope_business_id.is_(None), known_accounts.c.scope_business_id == business.business_id
        ),
    )


async def account_with_email(
    conn: AsyncConnection, business: BusinessSnapshot, email: str, *, verified_only: bool
) -> uuid.UUID | None:
    """The first account of the business's scope with ``email`` (verified ones only, if asked)."""
    query = sa.select(known_accounts.c.account_id).where(
        account_scope_matches(business), sa.func.lower(known_accounts.c.email) == normalize_email(email)
    )
    if verified_only:
        query = query.where(known_accounts.c.verified_at.is_not(None))
    return (await conn.execute(query.order_by(known_accounts.c.registered_at).limit(1))).scalar()


async def account_in_scope(conn: AsyncConnection, business: BusinessSnapshot, account_id: uuid.UUID) -> bool:
    """Whether ``account_id`` is an account that can book at ``business``."""
    found = await conn.execute(
        sa.select(known_accounts.c.account_id).where(
            account_scope_matches(business), known_accounts.c.account_id == account_id
        )
    )
    return found.first() is not None


async def record_for_booking(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    details: ClientDetails,
    account_id: uuid.UUID | None,
    intake_answers: dict[str, str],
) -> uuid.UUID:
    """The client record for these details: the account's, else the email's, else a new one.

    Phone and intake answers are refreshed, unless the record belongs to an account and
    the booking was not made by it; the name is the business's to keep.
    """
    email = normalize_email(details.email)
    found = None
    if account_id is not None:
        found = (
            await conn.execute(
                sa.select(client_records.c.id).where(
                    client_records.c.business_id == business.business_id, client_records.c.account_id == account_id
                )
            )
        ).scalar()
    linked = account_id is not None and found is not None
    if found is None:
        row = (
            await conn.execute(
                sa.select(client_records.c.id, client_records.c.account_id)
                .where(
                    client_records.c.business_id == business.business_id,
                    sa.func.lower(client_records.c.email) == email,
                    client_records.c.anonymised_at.is_(None),
                    sa.or_(client_records.c.account_id.is_(None), client_records.c.account_id == account_id)
                    if account_id is not None
                    else sa.true(),
                )
                .order_by(client_records.c.created_at)
                .limit(1)
                .with_for_update()
            )
        ).first()
        if row is not None:
            found, linked = row.id, row.account_id is not None
    if found is None:
        created = (
            await conn.execute(
                sa.insert(client_records)
                .values(
                    business_id=business.business_id,
                    org_id=business.org_id,
                    account_id=account_id,
                    first_name=details.first_name,
                    last_name=details.last_name,
                    email=email,
                    phone=details.phone,
                    last_intake_answers=intake_answers,
                )
                .returning(client_records.c.id)
            )
        ).scalar_one()
        return uuid.UUID(str(created))
    if linked and account_id is None:
        # A booking without the account (a guest, or staff) never rewrites what the
        # account's owner keeps on the record: anyone can type someone else's email.
        return uuid.UUID(str(found))
    changes: dict[str, Any] = {"phone": details.phone, "updated_at": sa.func.now()}
    if intake_answers:
        changes["last_intake_answers"] = client_records.c.last_intake_answers.op("||")(
            sa.cast(intake_answers, client_records.c.last_intake_answers.type)
        )
    if account_id is not None:
        changes["account_id"] = account_id
    await conn.execute(sa.update(client_records).where(client_records.c.id == found).values(**changes))
    return uuid.UUID(str(found))


async def link_record(conn: AsyncConnection, record_id: uuid.UUID, account_id: uuid.UUID) -> None:
    """Link a client record that has no account yet to ``account_id``."""
    await conn.execute(
        sa.update(client_records)
        .where(client_records.c.id == record_id, client_records.c.account_id.is_(None))
        .values(account_id=account_id, updated_at=sa.func.now())
    )


async def prefill(conn: AsyncConnection, business_id: uuid.UUID, account_id: uuid.UUID) -> Prefill:
    """What a returning client need not type again (R-I10)."""
    row = (
        await conn.execute(
            sa.select(client_records).where(
                client_records.c.business_id == business_id, client_records.c.account_id == account_id
            )
        )
    ).first()
    if row is None:
        return Prefill(intake_answers={}, phone=None)
    return Prefill(intake_answers=dict(row.last_intake_answers), phone=row.phone)


async def list_records(conn: AsyncConnection, business_id: uuid.UUID) -> list[ClientRecord]:
    """The business's client records by name, with their booking counts (R-A8)."""
    counts = (
        sa.select(
            appointments.c.client_record_id,
            sa.func.count().label("bookings"),
            sa.func.count(appointments.c.account_id).label("assigned"),
            sa.func.count(sa.distinct(appointments.c.account_id)).label("accounts"),
        )
        .where(appointments.c.business_id == business_id, appointments.c.deleted_at.is_(None))
        .group_by(appointments.c.client_record_id)
        .subquery()
    )
    rows = await conn.execute(
        sa.select(client_records, counts.c.bookings, counts.c.assigned, counts.c.accounts)
        .outerjoin(counts, counts.c.client_record_id == client_records.c.id)
        .where(client_records.c.business_id == business_id)
        .order_by(client_records.c.last_name, client_records.c.first_name)
        .limit(1000)
    )
    return [_record(r) for r in rows]


def _record(r: Any) -> ClientRecord:
    bookings, assigned = r.bookings or 0, r.assigned or 0
    return ClientRecord(
        id=r.id,
        first_name=r.first_name,
        last_name=r.last_name,
        email=r.email,
        phone=r.phone,
        birthday=r.birthday,
        account_id=r.account_id,
        bookings=bookings,
        assigned_bookings=assigned,
        can_assign_all=bulk_assign_offered(bookings, assigned, r.accounts or 0),
    )


async def apply_profile_update(
    conn: AsyncConnection,
    account_id: uuid.UUID,
    changed: list[str],
    *,
    email: str,
    phone: str | None,
    birthday: str | None,
) -> int:
    """Phone, email and birthday follow the account; the name never does (R-I8)."""
    values: dict[str, Any] = {}
    if "email" in changed:
        values["email"] = normalize_email(email)
    if "phone" in changed:
        values["phone"] = phone
    if "birthday" in changed:
        values["birthday"] = date.fromisoformat(birthday) if birthday else None
    if not values:
        return 0
    result = await conn.execute(
        sa.update(client_records)
        .where(client_records.c.account_id == account_id, client_records.c.anonymised_at.is_(None))
        .values(**values, updated_at=sa.func.now())
    )
    if "email" in values:
        await conn.execute(
            sa.update(known_accounts).where(known_accounts.c.account_id == account_id).values(email=values["email"])
        )
    return int(result.rowcount)


async def anonymise_account(conn: AsyncConnection, account_id: uuid.UUID) -> None:
    """Erase what identifies the client; keep the business's appointment facts (R-T5)."""
    records = (
        (
            await conn.execute(
                sa.update(client_records)
                .where(client_records.c.account_id == account_id)
                .values(
                    first_name="Deleted client",
                    last_name="",
                    email=None,
                    phone=None,
                    birthday=None,
                    last_intake_answers={},
                    account_id=None,
                    anonymised_at=sa.func.now(),
                    updated_at=sa.func.now(),
                )
                .returning(client_records.c.id)
            )
        )
        .scalars()
        .all()
    )
    await conn.execute(
        sa.update(appointments)
        .where(sa.or_(appointments.c.account_id == account_id, appointments.c.client_record_id.in_(records)))
        .values(email=None, notes="", pet=None, intake_answers={}, account_id=None, manage_token_hash=None)
    )
    await conn.execute(sa.delete(calendar_feeds).where(calendar_feeds.c.account_id == account_id))
    await conn.execute(sa.delete(known_accounts).where(known_accounts.c.account_id == account_id))
