"""Typed path parameters: a value that is not its type is 404 before the view runs (real HTTP, raw paths)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_slug, path_uuid, path_value
from regulars.shared.http.app import base_app

BOOKING = "0b7c3f4e-6a55-4a8e-9d1e-2f3a4b5c6d7e"
REACHED: list[dict[str, Any]] = []


async def cancel(request: web.Request) -> web.Response:
    REACHED.append({"business": path_slug(request), "booking_id": path_uuid(request, "booking_id")})
    return web.json_response({"ok": True})


async def feed(request: web.Request) -> web.Response:
    REACHED.append({"feed": path_value(request, "feed")})
    return web.json_response({"ok": True})


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    routes = ApiRoutes()
    routes.route("POST", "/api/v1/b/{business}/me/bookings/{booking_id}/cancel", summary="c", tag="t")(cancel)
    routes.route("GET", "/api/v1/calendar-feeds/{feed}", summary="f", tag="t")(feed)
    app = base_app()
    routes.add_to(app)
    server = TestServer(app)
    await server.start_server()
    REACHED.clear()
    async with aiohttp.ClientSession() as session:
        yield session, str(server.make_url("")).rstrip("/")
    await server.close()


async def _send(session: aiohttp.ClientSession, method: str, url: str) -> tuple[int, Any]:
    async with session.request(method, URL(url, encoded=True)) as response:
        return response.status, await response.json()


BAD_IDS = [
    f"..%2F..%2Fadmin%2Fbookings%2F{BOOKING}%2Fcancel%3F",
    f"%2e%2e%2f{BOOKING}",
    f"{BOOKING}%252F",
    f"{BOOKING}%3F",
    f"{BOOKING}%23",
    f"{BOOKING}%00",
    f"{BOOKING}%0A",
    f"..%5C{BOOKING}",
    f"%c0%af{BOOKING}",
    f"%c0%ae%c0%ae%c0%af{BOOKING}",
    BOOKING.replace("-", ""),
    f"urn:uuid:{BOOKING}",
]


BAD_SLUGS = ["..%2Fadmin", "demo%2Fsalon", "Demo-Salon", "demo-salon%00", "-demo", "%252E%252E"]
BAD_FEEDS = ["abc%3F.ics", "abc%2F..%2F.ics", "abc", "abc.ics%00", "..%2Fabc.ics", "a%23.ics"]
OFF_TYPE = [
    *[("POST", f"/api/v1/b/demo-salon/me/bookings/{bad}/cancel", "booking_not_found") for bad in BAD_IDS],
    *[("POST", f"/api/v1/b/{bad}/me/bookings/{BOOKING}/cancel", "business_not_found") for bad in BAD_SLUGS],
    *[("GET", f"/api/v1/calendar-feeds/{bad}", "calendar_feed_not_found") for bad in BAD_FEEDS],
]


@pytest.mark.parametrize(("method", "path", "code"), OFF_TYPE)
async def test_a_path_parameter_off_its_type_is_404_with_its_code_before_the_view(
    gateway: tuple[aiohttp.ClientSession, str], method: str, path: str, code: str
) -> None:
    """A booking id that is not a UUID, a slug off its pattern, a feed address that is not a token: not 500."""
    session, base = gateway
    status, body = await _send(session, method, base + path)
    assert (status, body["error"]["code"]) == (404, code)
    assert REACHED == []


async def test_typed_values_reach_the_view(gateway: tuple[aiohttp.ClientSession, str]) -> None:
    session, base = gateway
    status, _ = await _send(session, "POST", f"{base}/api/v1/b/demo-salon/me/bookings/{BOOKING.upper()}/cancel")
    assert status == 200
    status, _ = await _send(session, "GET", f"{base}/api/v1/calendar-feeds/Ab_c-9.ics")
    assert status == 200
    reached = [{"business": "demo-salon", "booking_id": uuid.UUID(BOOKING)}, {"feed": "Ab_c-9"}]
    assert reached == REACHED
