"""Each internal route answers only its principal (issue 8): a client principal on a staff route is 404."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.entrypoints.admin_http import setup_admin_routes
from regulars.appointments.entrypoints.http import setup_client_routes
from regulars.shared.http.internal import Audience, Principal, audience_of
from regulars.shared.testing.inprocess import Api

from .conftest import book, make_shop

pytestmark = pytest.mark.integration


def _routes(setup: object, audience: Audience) -> list[tuple[str, str]]:
    app = web.Application()
    setup(app)  # type: ignore[operator]
    return [
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and audience_of(route.handler) is audience
    ]


def _fill(path: str, booking_id: str) -> str:
    return re.sub(r"\{action\}", "cancel", re.sub(r"\{id\}", booking_id, path))


async def test_client_and_guest_principals_get_404_on_every_staff_route_and_change_nothing(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    client = shop.client(uuid.uuid4())
    # The first free time of the availability answer, never one computed from a clock.
    first_day = api.clock.now.date() + timedelta(2)
    params = {
        "service_id": shop.service_id,
        "from": first_day.isoformat(),
        "to": (first_day + timedelta(7)).isoformat(),
    }
    status, free = await api.call("GET", "/internal/availability", shop.guest, params=params)
    assert status == 200, free
    assert free["slots"], free
    status, made = await book(api, shop, client, datetime.fromisoformat(free["slots"][0]["start"]))
    assert status == 201, made
    booking_id = made["booking"]["id"]
    _, before = await api.call("GET", f"/internal/admin/bookings/{booking_id}", shop.admin)

    staff_routes = _routes(setup_admin_routes, Audience.STAFF)
    assert len(staff_routes) == 21
    other_business = Principal(uuid.uuid4(), uuid.uuid4())
    for method, path in staff_routes:
        for principal in (client, Principal(None, shop.business.business_id), Principal()):
            status, body = await api.call(method, _fill(path, booking_id), principal, json={"reason": "x"})
            assert (status, body["error"]["code"]) == (404, "not_found"), (method, path, principal)
        # A business principal of another business does not reach this business's objects either.
        status, _ = await api.call(method, _fill(path, booking_id), other_business, json={"reason": "x"})
        assert status in (404, 422), (method, path)

    _, after = await api.call("GET", f"/internal/admin/bookings/{booking_id}", shop.admin)
    assert after == before
    assert after["booking"]["status"] == "booked"


async def test_a_staff_principal_gets_404_on_every_client_route(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    client_routes = _routes(setup_client_routes, Audience.CLIENT)
    assert all(path.startswith("/internal/me/") for _, path in client_routes)
    for method, path in client_routes:
        status, body = await api.call(method, _fill(path, str(uuid.uuid4())), shop.admin, json={})
        assert (status, body["error"]["code"]) == (404, "not_found"), (method, path)
