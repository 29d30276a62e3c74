"""The business a request is for, checked against the principal the gateway sent."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Principal
from regulars.shared.tenancy import get_business


async def business_for(conn: AsyncConnection, principal: Principal) -> BusinessSnapshot:
    """The principal's business from this service's projection; 404 when unknown here."""
    if principal.business_id is None:
        raise ApiError(400, "business_required", "The call names no business.")
    return await business_by_id(conn, principal.business_id, principal.org_id)


async def business_by_id(conn: AsyncConnection, business_id: uuid.UUID, org_id: uuid.UUID | None) -> BusinessSnapshot:
    business = await get_business(conn, business_id)
    if business is None or (org_id is not None and business.org_id != org_id):
        raise ApiError(404, "business_not_found", "This business is not known to the appointments service yet.")
    return business


def account_of(principal: Principal) -> uuid.UUID:
    if principal.account_id is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    return principal.account_id
