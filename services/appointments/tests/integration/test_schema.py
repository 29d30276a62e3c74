"""The hand-written migrations create exactly the tables the code describes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.adapters.tables import metadata

pytestmark = pytest.mark.integration


async def test_migrations_match_the_table_definitions(engines: dict[str, AsyncEngine]) -> None:
    def differences(conn: sa.Connection) -> list[Any]:
        def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
            # Tables of the shared package (outbox, inbox, …) are not in this metadata.
            table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
            return table in metadata.tables

        context = MigrationContext.configure(conn, opts={"include_object": ours})
        return list(compare_metadata(context, metadata))

    async with engines["appointments"].connect() as conn:
        assert await conn.run_sync(differences) == []
        constraint = await conn.scalar(
            sa.text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'appointments_no_double_booking'"
            )
        )
    assert constraint is not None
    assert "EXCLUDE USING gist (staff_id WITH =, blocked WITH &&)" in constraint
