"""Read models of messages and their dispatch log (admin API and ``messages list|show``)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.notifications.adapters.tables import dispatch_log, messages
from regulars.shared.contracts.notifications import DispatchEntry, MessageDetail, MessageSummary

_SUMMARY = [getattr(messages.c, name) for name in MessageSummary.model_fields]


def _summary(row: Any) -> MessageSummary:
    return MessageSummary.model_validate(dict(row._mapping))


async def list_messages(
    conn: AsyncConnection,
    *,
    business_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[MessageSummary]:
    """The newest messages first, of a business and/or an account, optionally in one status."""
    query = sa.select(*_SUMMARY).order_by(messages.c.created_at.desc(), messages.c.id).limit(limit)
    if business_id is not None:
        query = query.where(messages.c.business_id == business_id)
    if account_id is not None:
        query = query.where(messages.c.account_id == account_id)
    if status is not None:
        query = query.where(messages.c.status == status)
    return [_summary(row) for row in (await conn.execute(query)).all()]


async def message_detail(
    conn: AsyncConnection, message_id: uuid.UUID, business_id: uuid.UUID | None = None
) -> MessageDetail | None:
    """One message with its dispatch log (None when there is none, or it is another business's)."""
    query = sa.select(*_SUMMARY, messages.c.headers).where(messages.c.id == message_id)
    if business_id is not None:
        query = query.where(messages.c.business_id == business_id)
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    log_rows = (
        await conn.execute(
            sa.select(
                dispatch_log.c.attempt,
                dispatch_log.c.outcome,
                dispatch_log.c.detail,
                dispatch_log.c.courier,
                dispatch_log.c.at,
            )
            .where(dispatch_log.c.message_id == message_id)
            .order_by(dispatch_log.c.id)
        )
    ).all()
    return MessageDetail(
        **dict(row._mapping),
        dispatch_log=[DispatchEntry.model_validate(dict(r._mapping)) for r in log_rows],
    )
