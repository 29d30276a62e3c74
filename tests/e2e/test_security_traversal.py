"""Path traversal through the public API (issue 8, "The hole"): against the real stack.

The rule the matrix checks, for every operation of the OpenAPI document that has a path
parameter: a value that is not of its parameter's type (a UUID, a slug, a feed token…)
answers **404 with that type's error code, whoever calls** — a client, another client,
another business's or another organization's API key, the business's own key, or nobody.
The gateway checks the types before it authenticates anyone or calls any service, so the
answer is never 401 here and says nothing about the credentials or the object. After the
whole matrix, the victim's booking, profile and pets and the business's catalog are as
they were.

The matrix is generated from ``openapi_document()``: a new route is covered on its own.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from yarl import URL

from regulars.gateway.app import openapi_document
from regulars.gateway.paths import PATH_PARAMS
from regulars.identity.service_layer.businesses import create_api_key
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import PASSWORD, last_message, make_business, token_of, unique_email
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.slots import first_free_slot
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e
PARAM = re.compile(r"\{([^}]+)\}")


def variants(victim: str) -> list[str]:
    """Traversal and encoding tricks, aimed at the victim's booking through the staff routes."""
    target = f"admin%2Fbookings%2F{victim}%2Fcancel"
    return [
        f"..%2F..%2F{target}%3F",
        f"%2e%2e%2f%2e%2e%2f{target.replace('%2F', '%2f')}%3f",
        f"..%252F..%252F{target.replace('%2F', '%252F')}",
        f"{victim}%3F",
        f"{victim}%23",
        f"{victim}%00",
        f"{victim}%2F..",
        f"..\\..\\{target.replace('%2F', chr(92))}",
        f"..%5C..%5C{target.replace('%2F', '%5C')}",
        f"%c0%af..%c0%af{target.replace('%2F', '%c0%af')}",
        f"%c0%ae%c0%ae%c0%af{target.replace('%2F', '%c0%af')}",
        f"{victim}%0A",
    ]


class Caller:
    def __init__(self, name: str, token: str = "") -> None:
        self.name = name
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}


class World:
    """Organization A with businesses A (pets) and B, organization C; a victim and an attacker at A."""

    def __init__(self, http: aiohttp.ClientSession, stack: Stack) -> None:
        self.http, self.base = http, stack.gateway_url

    async def call(self, method: str, path: str, caller: Caller, json: Any = None) -> tuple[int, Any]:
        headers = {**caller.headers, "Idempotency-Key": uuid.uuid4().hex}
        async with self.http.request(method, self.base + path, headers=headers, json=json) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
            return response.status, body

    async def raw(self, method: str, path: str, caller: Caller) -> tuple[int, Any]:
        """``path`` sent byte for byte: aiohttp's client would otherwise normalise or re-encode it."""
        headers = {**caller.headers, "Idempotency-Key": uuid.uuid4().hex}
        body = None if method in ("GET", "DELETE") else b"{}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = URL(self.base + path, encoded=True)
        async with self.http.request(method, url, headers=headers, data=body) as response:
            text = await response.text()
            kind = response.content_type
            return response.status, (await response.json() if kind == "application/json" else text)


async def _key(ident: Identity, business: BusinessSnapshot) -> str:
    async with UnitOfWork(ident.engine) as uow:
        return (await create_api_key(uow, business.slug, "traversal")).secret


async def _client(world: World, ident: Identity, slug: str) -> tuple[Caller, str]:
    email = unique_email("trav")
    form = {"email": email, "password": PASSWORD, "first_name": "Vera", "last_name": "Victim"}
    status, body = await world.call("POST", f"/api/v1/b/{slug}/auth/register", Caller("nobody"), form)
    assert status == 202, body
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    status, body = await world.call("POST", f"/api/v1/b/{slug}/auth/verify", Caller("nobody"), {"token": token})
    assert status == 200, body
    return Caller(email, body["session"]["token"]), str(body["account"]["account_id"])


async def _catalog(world: World, slug: str, key: Caller) -> tuple[str, str]:
    admin = f"/api/v1/admin/businesses/{slug}"

    async def staff_created() -> Any:
        status, body = await world.call("POST", admin + "/staff", key, {"name": "Ana"})
        return body if status == 201 else None  # 404 until the business reached appointments

    staff_id = str((await eventually(staff_created))["staff"]["id"])
    blocks = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in range(7)]
    assert (await world.call("PUT", f"{admin}/staff/{staff_id}/hours", key, {"blocks": blocks}))[0] == 200
    service = {"name": "Wash", "duration_minutes": 30, "price_minor": 2000, "currency": "EUR", "staff_ids": [staff_id]}
    status, body = await world.call("POST", admin + "/services", key, service)
    assert status == 201, body
    return str(body["service"]["id"]), staff_id


@pytest.fixture(scope="module")
async def world(stack: Stack, ident: Identity) -> Any:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as http:
        w = World(http, stack)
        org_slug = f"org-{uuid.uuid4().hex[:10]}"
        a = await make_business(ident, vertical="pet", org_slug=org_slug)
        b = await make_business(ident, org_slug=org_slug)
        c = await make_business(ident)
        w.slug, w.other_slug = a.slug, b.slug
        w.key = Caller("business key", await _key(ident, a))
        w.callers = [
            w.key,
            Caller("another business's key", await _key(ident, b)),
            Caller("another organization's key", await _key(ident, c)),
            Caller("no credentials"),
        ]
        w.victim, w.victim_account = await _client(w, ident, a.slug)
        w.attacker, _ = await _client(w, ident, a.slug)
        w.callers += [w.victim, w.attacker]
        w.service_id, w.staff_id = await _catalog(w, a.slug, w.key)
        start = await first_free_slot(http, stack.gateway_url, a.slug, w.service_id, after=timedelta(days=3))
        booking = {"service_id": w.service_id, "start": start.isoformat(),
                   "client": {"first_name": "Vera", "last_name": "Victim", "email": w.victim.name,
                              "phone": "+34 600 123 456"}}  # fmt: skip
        status, made = await w.call("POST", f"/api/v1/b/{a.slug}/bookings", w.victim, booking)
        assert status == 201, made
        w.booking_id = made["booking"]["id"]
        status, pet = await w.call("POST", f"/api/v1/b/{a.slug}/me/pets", w.victim, {"name": "Rex", "species": "dog"})
        assert status == 201, pet
        w.pet_id = pet["pet_id"]
        status, feed = await w.call("GET", f"/api/v1/b/{a.slug}/me/calendar-feed", w.victim)
        assert status == 200, feed
        w.feed = feed["https_url"].rsplit("/", 1)[1]
        yield w


async def _state(world: Any) -> dict[str, Any]:
    """What the matrix must not change: the victim's booking, profile and pets, the catalog."""
    slug, booking = world.slug, world.booking_id
    reads = [
        ("GET", f"/api/v1/b/{slug}/me/bookings/{booking}", world.victim),
        ("GET", f"/api/v1/b/{slug}/me", world.victim),
        ("GET", f"/api/v1/b/{slug}/me/pets", world.victim),
        ("GET", f"/api/v1/b/{slug}/me/sessions", world.victim),
        ("GET", f"/api/v1/admin/businesses/{slug}/bookings/{booking}", world.key),
        ("GET", f"/api/v1/admin/businesses/{slug}/services", world.key),
        ("GET", f"/api/v1/admin/businesses/{slug}/staff", world.key),
        ("GET", f"/api/v1/admin/businesses/{slug}/settings", world.key),
    ]
    state = {}
    for method, path, caller in reads:
        status, body = await world.call(method, path, caller)
        assert status == 200, (path, body)
        if isinstance(body, dict) and "sessions" in body:  # "last used" moves with every read
            body = sorted(s["session_id"] for s in body["sessions"])
        state[path] = body
    return state


def _real_values(world: Any) -> dict[str, str]:
    """A real, well-formed value for every parameter type, so each variant differs in one place."""
    real = {
        "business": world.slug,
        "booking_id": world.booking_id,
        "service_id": world.service_id,
        "staff_id": world.staff_id,
        "time_off_id": str(uuid.uuid4()),
        "product_id": str(uuid.uuid4()),
        "client_record_id": str(uuid.uuid4()),
        "account_id": world.victim_account,
        "pet_id": world.pet_id,
        "session_id": str(uuid.uuid4()),
        "message_id": str(uuid.uuid4()),
        "feed": world.feed,
        "provider": "dev",
    }
    assert set(real) == set(PATH_PARAMS), "give the new parameter type a real value here"
    return real


def _matrix(world: Any) -> list[tuple[str, str, str, str]]:
    """(method, raw path, parameter, expected code) for every operation and parameter of the document."""
    real = _real_values(world)
    cases = []
    for template, operations in openapi_document()["paths"].items():
        names = PARAM.findall(template)
        for method in operations:
            for name in names:
                for variant in variants(world.booking_id):
                    values = {**real, name: variant}
                    path = PARAM.sub(lambda m, v=values: v[m.group(1)], template)  # type: ignore[misc]
                    cases.append((method.upper(), path, name, PATH_PARAMS[name].code))
    return cases


async def test_the_issue_request_changes_nothing_and_answers_404(world: Any) -> None:
    before = await _state(world)
    sneaky = f"/api/v1/b/{world.slug}/me/bookings/..%2F..%2Fadmin%2Fbookings%2F{world.booking_id}%2Fcancel%3F/cancel"
    status, body = await world.raw("POST", sneaky, world.attacker)
    assert (status, body["error"]["code"]) == (404, "booking_not_found")
    after = await _state(world)
    assert after == before
    assert after[f"/api/v1/b/{world.slug}/me/bookings/{world.booking_id}"]["booking"]["status"] == "booked"

    # No existence oracle: a real id and a random one get the same answer, byte for byte.
    for tail in ("", "/policy", "/calendar.ics"):
        answers = []
        for booking in (world.booking_id, str(uuid.uuid4())):
            path = f"/api/v1/b/{world.slug}/me/bookings/..%2F..%2Fadmin%2Fbookings%2F{booking}%3F{tail}"
            answers.append(await world.raw("GET", path, world.attacker))
        assert answers[0] == answers[1]
        assert answers[0][0] == 404

    # And the attacker's own session on the victim's real booking: 404 as for any booking not theirs.
    status, body = await world.call("GET", f"/api/v1/b/{world.slug}/me/bookings/{world.booking_id}", world.attacker)
    assert (status, body["error"]["code"]) == (404, "booking_not_found")


async def test_every_path_parameter_of_every_operation_refuses_traversal_for_every_caller(world: Any) -> None:
    before = await _state(world)
    cases = _matrix(world)
    operations = {(method, PARAM.sub("{}", path)) for method, path, _, _ in cases}
    assert len(operations) > 40, "the matrix should cover the whole route table"
    gate = asyncio.Semaphore(24)
    wrong: list[str] = []

    async def send(method: str, path: str, name: str, code: str, caller: Caller) -> None:
        async with gate:
            status, body = await world.raw(method, path, caller)
        got = body["error"]["code"] if isinstance(body, dict) and "error" in body else body
        if (status, got) != (404, code):
            wrong.append(f"{method} {path} [{name}] as {caller.name}: {status} {got!r:.200}")

    await asyncio.gather(
        *(send(method, path, name, code, caller) for method, path, name, code in cases for caller in world.callers)
    )
    assert not wrong, f"{len(wrong)} of {len(cases) * len(world.callers)} answers broke the rule:\n" + "\n".join(
        wrong[:40]
    )
    assert await _state(world) == before
