"""The business a call is for, from this service's projection of identity's businesses."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.appointments.domain.errors import NotFound
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.tenancy import get_business


async def business_by_id(conn: AsyncConnection, business_id: uuid.UUID, org_id: uuid.UUID | None) -> BusinessSnapshot:
    """The business, when it is known here and belongs to ``org_id`` (when given)."""
    business = await get_business(conn, business_id)
    if business is None or (org_id is not None and business.org_id != org_id):
        raise NotFound("business_not_found", "This business is not known to the appointments service yet.")
    return business
