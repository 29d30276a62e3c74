"""The wallet service in-process on the real PostgreSQL, with a movable clock."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal
from regulars.shared.testing.inprocess import project_business, service_fixtures
from regulars.wallet.service import SERVICE

pytestmark = pytest.mark.integration


api, reset_clock = service_fixtures(SERVICE)


async def make_business(engines: dict[str, AsyncEngine], **options: Any) -> BusinessSnapshot:
    return await project_business(engines["wallet"], **options)


def staff(business: BusinessSnapshot) -> Principal:
    return Principal(business.org_id, business.business_id)


def client(business: BusinessSnapshot, account_id: uuid.UUID | None = None) -> Principal:
    return Principal(business.org_id, business.business_id, account_id or uuid.uuid4())


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}
