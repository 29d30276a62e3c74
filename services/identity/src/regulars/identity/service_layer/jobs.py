"""Periodic jobs of identity: ``python -m regulars.identity jobs run NAME [--as-of TIME]``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.tables import client_accounts, client_sessions, client_tokens
from regulars.identity.service_layer.clients import business_by_id
from regulars.identity.service_layer.profile import delete_accounts
from regulars.shared import ratelimit as rl
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.settings import Settings

UNVERIFIED_LIFETIME = timedelta(days=7)  # R-I3
BATCH = 200


async def purge_unverified(engine: AsyncEngine, _settings: Settings, as_of: datetime) -> dict[str, Any]:
    """Delete accounts whose email was not verified within 7 days of sign-up (R-I3)."""
    cutoff = as_of - UNVERIFIED_LIFETIME
    deleted = 0
    while True:
        async with UnitOfWork(engine) as uow:
            rows = list(
                await uow.conn.execute(
                    sa.select(client_accounts)
                    .where(client_accounts.c.email_verified_at.is_(None), client_accounts.c.created_at <= cutoff)
                    .order_by(client_accounts.c.created_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                business = await business_by_id(uow.conn, row.signup_business_id)
                await delete_accounts(uow, business, [row])
        deleted += len(rows)
        if len(rows) < BATCH:
            return {"deleted": deleted, "cutoff": cutoff.isoformat()}


async def prune_expired(engine: AsyncEngine, _settings: Settings, as_of: datetime) -> dict[str, Any]:
    """Forget what no longer works: links and sessions a day past their end, old rate-limit windows."""
    grace = as_of - timedelta(days=1)
    async with engine.begin() as conn:
        tokens = await conn.execute(
            sa.delete(client_tokens).where(sa.or_(client_tokens.c.expires_at < grace, client_tokens.c.used_at < grace))
        )
        sessions = await conn.execute(
            sa.delete(client_sessions).where(
                sa.or_(client_sessions.c.expires_at < grace, client_sessions.c.revoked_at < grace)
            )
        )
    windows = await rl.prune(engine, as_of - timedelta(hours=2))
    return {"tokens": tokens.rowcount, "sessions": sessions.rowcount, "rate_limit_windows": windows}
