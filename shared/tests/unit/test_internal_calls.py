"""Internal calls: paths built from typed values with encoded segments; routes that check their principal."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from regulars.shared.http.app import base_app
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import (
    Audience,
    Principal,
    ServiceClient,
    UnsafeInternalPath,
    add_internal_routes,
    check_internal_path,
    internal_path,
    principal_of,
    unguarded_routes,
)

BOOKING = uuid.UUID("0b7c3f4e-6a55-4a8e-9d1e-2f3a4b5c6d7e")
ORG, BUSINESS, ACCOUNT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def test_internal_path_encodes_each_value_as_one_segment() -> None:
    assert internal_path("/internal/me/bookings/{booking_id}/cancel", booking_id=BOOKING) == (
        f"/internal/me/bookings/{BOOKING}/cancel"
    )
    # Whatever a string holds, it stays inside its segment: no new segment, query or fragment.
    evil = "../../admin/bookings/x/cancel?#\\\x00%2F"
    built = internal_path("/internal/b/{slug}/me", slug=evil)
    assert built == "/internal/b/..%2F..%2Fadmin%2Fbookings%2Fx%2Fcancel%3F%23%5C%00%252F/me"
    assert internal_path("/internal/calendar-feeds/{token}.ics", token="a_b-C") == "/internal/calendar-feeds/a_b-C.ics"
    # Values the template does not name are ignored; a name without a value is a bug.
    assert internal_path("/internal/x/{id}", id=BOOKING, business="demo") == f"/internal/x/{BOOKING}"
    with pytest.raises(ValueError, match="booking_id"):
        internal_path("/internal/me/bookings/{booking_id}")
    with pytest.raises(ValueError, match="plain"):
        internal_path("/internal/me/bookings/{booking_id!r}", booking_id=BOOKING)


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_internal_path_refuses_a_dot_segment(value: str) -> None:
    with pytest.raises(UnsafeInternalPath) as refused:
        internal_path("/internal/b/{slug}/me", slug=value)
    assert (refused.value.status, refused.value.code) == (404, "not_found")


@pytest.mark.parametrize(
    "path",
    ["/internal/me/bookings/../../admin", "/internal/x?y=1", "/internal/x#y", "/internal/x\\y", "/internal/\x00", "x"],
)
def test_service_client_refuses_a_path_that_could_reach_another_route(path: str) -> None:
    with pytest.raises(UnsafeInternalPath):
        check_internal_path(path)


async def test_service_client_sends_nothing_for_an_unsafe_path() -> None:
    async with aiohttp.ClientSession() as session:
        # Port 9 (discard): were anything sent, the call would fail as unavailable (503), not 404.
        client = ServiceClient("appointments", "http://127.0.0.1:9", "token", session)
        with pytest.raises(ApiError) as refused:
            await client.request("POST", "/internal/me/bookings/../../admin/bookings/x/cancel", None)
    assert (refused.value.status, refused.value.code) == (404, "not_found")


async def _whoami(request: web.Request) -> web.Response:
    principal = principal_of(request)
    return web.json_response({"account": str(principal.account_id) if principal.account_id else None})


@pytest.fixture
async def guarded() -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    app = base_app()
    for audience in Audience:
        add_internal_routes(app.router, audience, [("GET", f"/internal/{audience.value}", _whoami)])
    server = TestServer(app)
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield session, str(server.make_url("")).rstrip("/")
    await server.close()


STAFF = Principal(ORG, BUSINESS)
CLIENT = Principal(ORG, BUSINESS, ACCOUNT)
NOBODY = Principal()
HALF = Principal(None, BUSINESS, ACCOUNT)  # no organization: never a principal at a business


@pytest.mark.parametrize(
    ("audience", "allowed"),
    [
        (Audience.STAFF, [STAFF]),
        (Audience.CLIENT, [CLIENT]),
        (Audience.VISITOR, [STAFF, CLIENT]),
        (Audience.OPEN, [STAFF, CLIENT, NOBODY, HALF]),
    ],
)
async def test_each_internal_route_answers_only_its_audience(
    guarded: tuple[aiohttp.ClientSession, str], audience: Audience, allowed: list[Principal]
) -> None:
    session, base = guarded
    for principal in (STAFF, CLIENT, NOBODY, HALF):
        async with session.get(f"{base}/internal/{audience.value}", headers=principal.headers()) as response:
            body = await response.json()
        if principal in allowed:
            assert response.status == 200, (audience, principal)
            assert body["account"] == (str(principal.account_id) if principal.account_id else None)
        else:
            # A client principal on a staff route learns nothing: the same 404 as a missing route.
            assert (response.status, body["error"]["code"]) == (404, "not_found"), (audience, principal)


def test_an_internal_route_added_without_an_audience_is_reported() -> None:
    app = web.Application()
    add_internal_routes(app.router, Audience.STAFF, [("GET", "/internal/admin/things", _whoami)])
    app.router.add_get("/internal/forgotten", _whoami)
    app.router.add_get("/health/live", _whoami)
    assert unguarded_routes(app) == ["GET /internal/forgotten", "HEAD /internal/forgotten"]
