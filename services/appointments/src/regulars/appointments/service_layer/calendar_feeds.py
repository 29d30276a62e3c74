"""A client's personal calendar feed: one secret address per account, rotated on request.

The secret is derived from the account and the time it was (re)issued, so reading the
address again gives the same one until the client rotates it; only its hash is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.adapters.tables import appointments, calendar_feeds
from regulars.appointments.domain.errors import NotFound
from regulars.appointments.service_layer.records import BookingRow, booking_select, read_bookings
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.tokens import token_digest


def feed_token(secret: str, account_id: uuid.UUID, generation: datetime) -> str:
    """The feed's secret for ``account_id``, issued at ``generation``."""
    mac = hmac.new(secret.encode(), f"calendar-feed:{account_id}:{generation.isoformat()}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


async def feed_of(
    uow: UnitOfWork, account_id: uuid.UUID, org_id: uuid.UUID, *, secret: str, rotate: bool, issued_at: datetime
) -> str:
    """The account's feed secret: the one issued before, or a new one (first ask, or ``rotate``)."""
    row = (
        await uow.conn.execute(
            sa.select(calendar_feeds).where(calendar_feeds.c.account_id == account_id).with_for_update()
        )
    ).first()
    if row is not None and not rotate:
        return feed_token(secret, account_id, row.created_at)
    token = feed_token(secret, account_id, issued_at)
    insert = pg_insert(calendar_feeds).values(
        account_id=account_id, org_id=org_id, token_hash=token_digest(token).hex(), created_at=issued_at
    )
    await uow.conn.execute(
        insert.on_conflict_do_update(
            index_elements=[calendar_feeds.c.account_id],
            set_={"token_hash": insert.excluded.token_hash, "created_at": insert.excluded.created_at},
        )
    )
    return token


async def bookings_in_feed(conn: AsyncConnection, token: str) -> list[BookingRow]:
    """The bookings a feed secret shows: its account's in its organization, cancelled ones too."""
    digest = token_digest(token).hex()
    feed = (await conn.execute(sa.select(calendar_feeds).where(calendar_feeds.c.token_hash == digest))).first()
    if feed is None:
        raise NotFound("calendar_feed_not_found", "This calendar address is not valid any more.")
    query = booking_select().where(
        appointments.c.account_id == feed.account_id,
        appointments.c.org_id == feed.org_id,
        appointments.c.deleted_at.is_(None),
        appointments.c.status.in_(("booked", "confirmed", "cancelled", "completed")),
    )
    return await read_bookings(conn, query.order_by(appointments.c.starts_at).limit(1000))
