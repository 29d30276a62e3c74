"""``Idempotency-Key`` for client POSTs that create things or move money.

The key is claimed with insert-on-conflict inside the same transaction as the
effect: a concurrent request with the same key waits on the row lock, then
finds the stored answer and replays it. The same key with a different body is
refused (409 ``idempotency_key_reused``), so a client bug cannot silently reuse an old answer.
The refusals are domain errors: a service layer may use this module without reaching HTTP.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.db.tables import idempotency_keys
from regulars.shared.domain_errors import Conflict, Rejected

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


class IdempotencyKeyRequired(Rejected):
    """No ``Idempotency-Key``, or one longer than ``MAX_KEY_LENGTH``."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_required", f"Send an {HEADER} header (1 to {MAX_KEY_LENGTH} characters).")


class IdempotencyKeyReused(Conflict):
    """The key was already used for a different request."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused", f"This {HEADER} was already used with a different request.")


def request_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def validate_key(key: str | None) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyRequired()
    return key


async def claim(conn: AsyncConnection, scope: str, key: str, body: Any) -> StoredResponse | None:
    """None when this request is the first with ``key``: go on, then ``remember``.

    Otherwise the stored answer of the first request, to be replayed as is.
    """
    fingerprint = request_fingerprint(body)
    inserted = await conn.execute(
        insert(idempotency_keys)
        .values(scope=scope, key=key, request_hash=fingerprint)
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await conn.execute(
            sa.select(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        )
    ).one()
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return StoredResponse(status=row.status, body=row.response)


async def remember(conn: AsyncConnection, scope: str, key: str, status: int, body: Any) -> None:
    await conn.execute(
        sa.update(idempotency_keys)
        .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        .values(status=status, response=body)
    )
