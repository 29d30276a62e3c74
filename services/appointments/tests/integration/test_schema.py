"""The hand-written migrations create exactly the tables the code describes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.adapters.tables import metadata
from regulars.shared.testing.schema import schema_differences

pytestmark = pytest.mark.integration


async def test_migrations_match_the_table_definitions(engines: dict[str, AsyncEngine]) -> None:
    async with engines["appointments"].connect() as conn:
        assert await schema_differences(conn, metadata) == []
        constraint = await conn.scalar(
            sa.text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'appointments_no_double_booking'"
            )
        )
    assert constraint is not None
    assert "EXCLUDE USING gist (staff_id WITH =, blocked WITH &&)" in constraint
