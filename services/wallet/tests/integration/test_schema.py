"""The hand-written migrations create exactly the tables the code describes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.wallet.adapters.tables import metadata

pytestmark = pytest.mark.integration


async def test_migrations_match_the_table_definitions(engines: dict[str, AsyncEngine]) -> None:
    def differences(conn: sa.Connection) -> list[Any]:
        def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
            table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
            return table in metadata.tables

        context = MigrationContext.configure(conn, opts={"include_object": ours})
        return list(compare_metadata(context, metadata))

    async with engines["wallet"].connect() as conn:
        assert await conn.run_sync(differences) == []
        checks = await conn.scalars(
            sa.text("SELECT conname FROM pg_constraint WHERE conrelid = 'ledger_accounts'::regclass AND contype = 'c'")
        )
        assert {"ledger_accounts_available", "ledger_accounts_sums"} <= set(checks)
