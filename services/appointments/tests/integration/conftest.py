"""The appointments service in-process on the real PostgreSQL and RabbitMQ, with a movable clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.service import SERVICE
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal
from regulars.shared.testing.inprocess import Api, Clock, project_business, service_fixtures

pytestmark = pytest.mark.integration


api, reset_clock = service_fixtures(SERVICE)


@dataclass
class Shop:
    """A business in the projection with one service performed by two staff, open every day."""

    business: BusinessSnapshot
    admin: Principal
    guest: Principal
    service_id: str
    staff_ids: list[str]

    def client(self, account_id: uuid.UUID) -> Principal:
        return Principal(self.business.org_id, self.business.business_id, account_id)


async def make_business(engines: dict[str, AsyncEngine], **options: Any) -> BusinessSnapshot:
    return await project_business(engines["appointments"], **options)


async def make_shop(api: Api, engines: dict[str, AsyncEngine], **options: Any) -> Shop:
    business = await make_business(engines, **options)
    admin = Principal(business.org_id, business.business_id)
    staff_ids = []
    for name in ("Ana", "Bea"):
        status, body = await api.call("POST", "/internal/admin/staff", admin, json={"name": name})
        assert status == 201, body
        staff_ids.append(body["staff"]["id"])
        blocks = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(7)]
        status, body = await api.call(
            "PUT", f"/internal/admin/staff/{body['staff']['id']}/hours", admin, json={"blocks": blocks}
        )
        assert status == 200, body
    status, body = await api.call(
        "POST",
        "/internal/admin/services",
        admin,
        json={
            "name": "Haircut",
            "duration_minutes": 60,
            "buffer_minutes": 15,
            "price_minor": 3500,
            "currency": "EUR",
            "staff_ids": staff_ids,
            "intake_questions": [{"id": "allergies", "label": "Any allergies?", "kind": "text"}],
        },
    )
    assert status == 201, body
    return Shop(business, admin, Principal(business.org_id, business.business_id), body["service"]["id"], staff_ids)


def guest_details(email: str | None = None) -> dict[str, str]:
    return {
        "first_name": "Gina",
        "last_name": "Guest",
        "email": email or f"gina-{uuid.uuid4().hex[:8]}@example.com",
        "phone": "+34 600 000 000",
    }


async def book(
    api: Api,
    shop: Shop,
    principal: Principal,
    start: datetime,
    *,
    email: str | None = None,
    staff_id: str | None = None,
    key: str | None = None,
) -> tuple[int, Any]:
    body: dict[str, Any] = {"service_id": shop.service_id, "start": start.isoformat(), "client": guest_details(email)}
    if staff_id:
        body["staff_id"] = staff_id
    return await api.call(
        "POST", "/internal/bookings", principal, json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex}
    )


def tomorrow_at(hour: int, clock: Clock, days: int = 1) -> datetime:
    from zoneinfo import ZoneInfo

    local = (clock.now + timedelta(days=days)).astimezone(ZoneInfo("Europe/Madrid"))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)
