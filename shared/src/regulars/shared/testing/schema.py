"""Whether a service's hand-written migrations create exactly the tables its code describes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection


async def schema_differences(conn: AsyncConnection, metadata: sa.MetaData) -> list[Any]:
    """What autogenerate would change to make the migrated database match ``metadata``; only the
    tables of ``metadata`` are compared (the shared package's outbox, inbox, … are not in it)."""

    def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in metadata.tables

    def differences(sync_conn: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"include_object": ours})
        return list(compare_metadata(context, metadata))

    return await conn.run_sync(differences)
