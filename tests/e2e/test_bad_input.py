"""Bad input at the public edge gets a 4xx and changes nothing (issue 8): NUL characters and
unpaired surrogates in any text, JSON nested 10,000 levels deep, odd widget asset paths, and dates
outside what the services handle."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from yarl import URL

from regulars.identity.testing import fresh_ip
from regulars.shared import clock
from regulars.shared.testing.businesses import (
    PASSWORD,
    catalog,
    fresh_bookable_business,
    guest,
    signed_up,
)
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack, identity_cli

pytestmark = pytest.mark.e2e

DEEP = "[" * 10_000 + "]" * 10_000
NUL = "Ana\u0000Ruiz"
SURROGATE = "a\ud800b"


def refused_field(status: int, body: Any, field: str) -> None:
    assert (status, body["error"]["code"]) == (422, "validation_error"), body
    assert body["error"]["fields"][0]["field"] == field, body
    assert body["error"]["fields"][0]["code"] in ("null_character", "unpaired_surrogate"), body


class Edge:
    """One business (a pet salon, so pets work) with a catalog, a signed-in client and its API key."""

    def __init__(self, gw: Gateway, slug: str, key: str, session: str, service_id: str) -> None:
        self.gw, self.slug, self.key, self.session, self.service_id = gw, slug, key, session, service_id
        self.public = f"/api/v1/b/{slug}"
        self.admin = f"/api/v1/admin/businesses/{slug}"
        self.ip = fresh_ip()

    async def call(self, method: str, path: str, *, raw: str | None = None, **kwargs: Any) -> tuple[int, Any]:
        headers = {"X-Forwarded-For": self.ip, **kwargs.pop("headers", {})}
        if raw is not None:
            kwargs["data"] = raw.encode()
            headers["Content-Type"] = "application/json"
        return await self.gw.call(method, path, headers=headers, **kwargs)

    async def a_free_start(self) -> str:
        day = clock.now().date() + timedelta(days=1)
        week = {"from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}
        status, free = await self.call(
            "GET", f"{self.public}/availability", params={"service_id": self.service_id, **week}
        )
        assert status == 200, free
        return str(free["slots"][0]["start"])


@pytest.fixture(scope="module")
async def edge(stack: Stack) -> Any:
    slug, key = fresh_bookable_business(stack, "edge")
    identity_cli(stack, "businesses", "update", "--slug", slug, "--vertical", "pet")
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        service_id = await catalog(gw, slug, key)
        session = await signed_up(gw, slug, f"{slug}@example.com")
        yield Edge(gw, slug, key, session, service_id)


async def test_nul_and_surrogates_in_the_profile_are_refused_and_nothing_changes(edge: Edge) -> None:
    me = f"{edge.public}/me"
    _, before = await edge.call("GET", me, token=edge.session)
    for body, field in [
        ({"first_name": NUL}, "first_name"),
        ({"last_name": SURROGATE}, "last_name"),
        ({"first_name": "Fine", "address": {"line1": "Calle\u0000 1", "city": "Madrid"}}, "address.line1"),
        ({"address": {"city": SURROGATE}}, "address.city"),
    ]:
        status, answer = await edge.call("PATCH", me, json=body, token=edge.session)
        refused_field(status, answer, field)
    status, answer = await edge.call("PATCH", me, raw=DEEP, token=edge.session)
    assert (status, answer["error"]["code"]) == (400, "invalid_json")
    status, answer = await edge.call("PATCH", me, json={"birthday": "0001-01-01"}, token=edge.session)
    assert (status, answer["error"]["fields"][0]["code"]) == (422, "date_out_of_range")
    assert await edge.call("GET", me, token=edge.session) == (200, before)


async def test_sign_up_and_sign_in_refuse_bad_text_and_deep_json(edge: Edge) -> None:
    email = f"nul-{uuid.uuid4().hex[:8]}@example.com"
    register = f"{edge.public}/auth/register"
    form = {"email": email, "password": PASSWORD, "first_name": NUL, "last_name": "Ruiz"}
    refused_field(*await edge.call("POST", register, json=form), "first_name")
    refused_field(*await edge.call("POST", register, json={**form, "first_name": "Ana", "last_name": SURROGATE}),
                  "last_name")  # fmt: skip
    for path in ("/auth/register", "/auth/login"):
        status, answer = await edge.call("POST", edge.public + path, raw=DEEP)
        assert (status, answer["error"]["code"]) == (400, "invalid_json"), path
    # Nothing was created: signing in as that address is the same "no" as any wrong password.
    status, answer = await edge.call("POST", f"{edge.public}/auth/login", json={"email": email, "password": PASSWORD})
    assert status == 401, answer


async def test_pets_refuse_bad_text_and_out_of_range_birthdays(edge: Edge) -> None:
    pets = f"{edge.public}/me/pets"
    refused_field(*await edge.call("POST", pets, json={"name": NUL, "species": "dog"}, token=edge.session), "name")
    status, answer = await edge.call(
        "POST", pets, json={"name": "Rex", "species": "dog", "birthday": "0001-01-01"}, token=edge.session
    )
    assert (status, answer["error"]["fields"][0]["code"]) == (422, "date_out_of_range"), answer
    assert await edge.call("GET", pets, token=edge.session) == (200, {"pets": []})


async def test_bookings_refuse_bad_text_deep_json_and_far_dates(edge: Edge) -> None:
    start = await edge.a_free_start()
    booking: dict[str, Any] = {
        "service_id": edge.service_id,
        "start": start,
        "client": guest(f"g-{uuid.uuid4().hex[:6]}@example.com"),
    }
    url = f"{edge.public}/bookings"

    async def book(body: Any = None, raw: str | None = None) -> tuple[int, Any]:
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        return await edge.call("POST", url, json=body, raw=raw, headers=headers, token=edge.session)

    refused_field(*await book({**booking, "notes": "side\u0000door"}), "notes")
    refused_field(*await book({**booking, "client": {**booking["client"], "first_name": NUL}}), "client.first_name")
    refused_field(*await book({**booking, "pet": {"name": SURROGATE}}), "pet.name")
    status, answer = await book(raw=DEEP)
    assert (status, answer["error"]["code"]) == (400, "invalid_json")
    status, answer = await book({**booking, "start": "9999-12-31T23:59:59+14:00"})
    assert (status, answer["error"]["fields"][0]["code"]) == (422, "date_out_of_range"), answer
    far = (clock.now() + timedelta(days=3 * 365)).replace(microsecond=0).isoformat()
    status, answer = await book({**booking, "start": far})
    assert (status, answer["error"]["code"]) == (422, "start_too_far_ahead"), answer
    # The slot is still free, and the client has no booking.
    assert start in [s["start"] for s in (await edge.call(
        "GET", f"{edge.public}/availability",
        params={"service_id": edge.service_id, "from": start[:10], "to": start[:10]},
    ))[1]["slots"]]  # fmt: skip
    assert (await edge.call("GET", f"{edge.public}/me/bookings", token=edge.session))[1]["bookings"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "2026-01-01", "to": "9999-12-31"}, "to"),
        ({"from": "2026-01-01T00:00:00+14:00", "to": "2201-01-01T00:00:00+00:00"}, "to"),
    ],
)
async def test_availability_refuses_dates_out_of_range(edge: Edge, query: dict[str, str], field: str) -> None:
    status, answer = await edge.call(
        "GET", f"{edge.public}/availability", params={"service_id": edge.service_id, **query}
    )
    assert (status, answer["error"]["fields"][0]["field"]) == (422, field), answer


async def test_query_strings_with_nul_are_refused(edge: Edge) -> None:
    status, answer = await edge.call("GET", f"{edge.public}/availability?service_id=%00&from=x")
    refused_field(status, answer, "service_id")
    status, answer = await edge.call("GET", f"{edge.admin}/clients?email=a%00b@example.com", token=edge.key)
    refused_field(status, answer, "email")


async def test_staff_catalog_and_time_off_refuse_bad_text_and_dates(edge: Edge) -> None:
    _, staff_before = await edge.call("GET", f"{edge.admin}/staff", token=edge.key)
    _, products_before = await edge.call("GET", f"{edge.admin}/products", token=edge.key)
    staff_id = staff_before["staff"][0]["id"]
    for path, body, field in [
        ("/staff", {"name": NUL}, "name"),
        ("/products", {"name": SURROGATE, "price_minor": 100, "currency": "EUR"}, "name"),
        ("/services", {"name": NUL, "duration_minutes": 30, "price_minor": 100, "currency": "EUR"}, "name"),
        (f"/staff/{staff_id}/time-off", {"starts_at": "2030-01-01T10:00:00+00:00",
                                         "ends_at": "2030-01-01T12:00:00+00:00", "reason": NUL}, "reason"),
    ]:  # fmt: skip
        refused_field(*await edge.call("POST", edge.admin + path, json=body, token=edge.key), field)
    status, answer = await edge.call(
        "POST", f"{edge.admin}/staff/{staff_id}/time-off", token=edge.key,
        json={"starts_at": "0001-01-01T00:00:00+00:00", "ends_at": "2030-01-01T12:00:00+00:00"},
    )  # fmt: skip
    assert (status, answer["error"]["fields"][0]["code"]) == (422, "date_out_of_range"), answer
    status, answer = await edge.call("GET", f"{edge.admin}/bookings?from=0001-01-01&to=2026-01-01", token=edge.key)
    assert (status, answer["error"]["fields"][0]["field"]) == (422, "from"), answer
    assert await edge.call("GET", f"{edge.admin}/staff", token=edge.key) == (200, staff_before)
    assert await edge.call("GET", f"{edge.admin}/products", token=edge.key) == (200, products_before)
    assert (await edge.call("GET", f"{edge.admin}/staff/{staff_id}/time-off", token=edge.key))[1]["time_off"] == []


@pytest.mark.parametrize("path", ["/w/_/%00.js", "/w/_/app.js%00.png", "/w/_/..%2F__init__.py", "/w/_/%ED%A0%80.js"])
async def test_odd_widget_asset_paths_are_404(stack: Stack, path: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(URL(stack.gateway_url + path, encoded=True)) as response:
        assert response.status == 404
    async with aiohttp.ClientSession() as http, http.get(f"{stack.gateway_url}/w/_/app.js") as response:
        assert response.status == 200


async def test_headers_that_are_not_utf8_are_refused(edge: Edge, stack: Stack) -> None:
    """A User-Agent with raw bytes would be forwarded and stored with the session: 422 instead."""
    url = URL(stack.gateway_url)
    assert url.host is not None
    assert url.port is not None
    reader, writer = await asyncio.open_connection(url.host, url.port)
    body = json.dumps({"email": "x@example.com", "password": PASSWORD}).encode()
    writer.write(
        f"POST {edge.public}/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
        + b"User-Agent: agent \xff\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )
    await writer.drain()
    head, _, payload = (await reader.read()).partition(b"\r\n\r\n")
    writer.close()
    assert head.startswith(b"HTTP/1.1 422"), head
    assert json.loads(payload)["error"]["fields"][0]["field"] == "User-Agent"
