"""The hand-written migrations create exactly the tables the code describes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.testing.schema import schema_differences
from regulars.wallet.adapters.tables import metadata

pytestmark = pytest.mark.integration


async def test_migrations_match_the_table_definitions(engines: dict[str, AsyncEngine]) -> None:
    async with engines["wallet"].connect() as conn:
        assert await schema_differences(conn, metadata) == []
        checks = await conn.scalars(
            sa.text("SELECT conname FROM pg_constraint WHERE conrelid = 'ledger_accounts'::regclass AND contype = 'c'")
        )
        assert {"ledger_accounts_available", "ledger_accounts_sums"} <= set(checks)
