"""The projection of client contacts (email, phone, locale, name) from identity's events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.notifications.adapters.tables import contacts, dispatch_log, messages, preferences
from regulars.shared.contracts.identity import BusinessSnapshot


@dataclass(frozen=True)
class Contact:
    """How to reach a client account, as the projection of identity's client events holds it."""

    account_id: uuid.UUID
    org_id: uuid.UUID
    scope_business_id: uuid.UUID | None
    email: str
    phone: str | None
    locale: str | None
    first_name: str
    last_name: str

    def belongs_to(self, business: BusinessSnapshot) -> bool:
        """Whether this account is a client account at ``business`` (R-T2, R-T4)."""
        if self.scope_business_id is not None:
            return self.scope_business_id == business.business_id
        return self.org_id == business.org_id


def _contact(row: Any) -> Contact:
    return Contact(
        row.account_id,
        row.org_id,
        row.scope_business_id,
        row.email,
        row.phone,
        row.locale,
        row.first_name,
        row.last_name,
    )


async def get_contact(conn: AsyncConnection, account_id: uuid.UUID) -> Contact | None:
    """The account's contact, or None when the projection has none (yet)."""
    row = (await conn.execute(sa.select(contacts).where(contacts.c.account_id == account_id))).first()
    return _contact(row) if row else None


async def contacts_of_business(conn: AsyncConnection, business: BusinessSnapshot) -> list[Contact]:
    """Every client account of ``business`` (its own, or its organization's when they share clients)."""
    scope = sa.or_(
        contacts.c.scope_business_id == business.business_id,
        sa.and_(contacts.c.scope_business_id.is_(None), contacts.c.org_id == business.org_id),
    )
    rows = (await conn.execute(sa.select(contacts).where(scope).order_by(contacts.c.account_id))).all()
    return [_contact(row) for row in rows]


async def contacts_with_phone(conn: AsyncConnection, phone: str) -> list[Contact]:
    """Every account with this phone number (E.164), in any business."""
    rows = (await conn.execute(sa.select(contacts).where(contacts.c.phone == phone))).all()
    return [_contact(row) for row in rows]


async def upsert_contact(
    conn: AsyncConnection,
    *,
    account_id: uuid.UUID,
    org_id: uuid.UUID,
    scope_business_id: uuid.UUID | None,
    at: datetime,
    **fields: Any,
) -> None:
    """Insert or update; an older event than the row's last one changes nothing."""
    values = {"account_id": account_id, "org_id": org_id, "scope_business_id": scope_business_id, **fields}
    values.setdefault("email", "")
    row = insert(contacts).values(**values, updated_at=at)
    await conn.execute(
        row.on_conflict_do_update(
            index_elements=[contacts.c.account_id],
            set_={**{name: row.excluded[name] for name in fields}, "updated_at": at},
            where=contacts.c.updated_at <= at,
        )
    )


async def erase_contact(conn: AsyncConnection, account_id: uuid.UUID, now: datetime) -> None:
    """R-T5: forget the contact and its preferences; keep message rows, emptied of personal data."""
    await conn.execute(sa.delete(contacts).where(contacts.c.account_id == account_id))
    await conn.execute(sa.delete(preferences).where(preferences.c.account_id == account_id))
    pending = (
        await conn.execute(
            sa.update(messages)
            # "sending" too: a courier that dies mid-send would otherwise hand the message,
            # emptied below, to another courier once its lease expired. A courier still
            # alive finds the status changed and records nothing over it.
            .where(messages.c.account_id == account_id, messages.c.status.in_(("queued", "failed", "sending")))
            .values(status="dropped", lease_until=None)
            .returning(messages.c.id, messages.c.attempts)
        )
    ).all()
    for row in pending:
        await conn.execute(
            sa.insert(dispatch_log).values(
                message_id=row.id, attempt=row.attempts, outcome="dropped", detail="the account was deleted", at=now
            )
        )
    await conn.execute(
        sa.update(messages)
        .where(messages.c.account_id == account_id)
        .values(
            recipient="(erased)",
            subject="",
            text_body="",
            html_body=None,
            headers={},
            attachments=[],
            render_inputs=None,
        )
    )
