"""Client accounts through the gateway: cookies, CSRF, revocation, scope, enumeration, staff API, jobs."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from regulars.identity.service_layer.businesses import create_api_key
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import PASSWORD, fresh_ip, last_message, make_business, token_of, unique_email
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.e2e


def device(stack: Stack, slug: str) -> Gateway:
    """One client device at ``slug``: its own cookie jar and its own address (sent as X-Forwarded-For)."""
    return Gateway.device(stack, base=f"/api/v1/b/{slug}", ip=fresh_ip())


async def sign_up_verified(ident: Identity, browser: Gateway, email: str) -> dict[str, Any]:
    status, body = await browser.call(
        "POST", "/auth/register", json={"email": email, "password": PASSWORD, "first_name": "Ana", "last_name": "Ruiz"}
    )
    assert (status, body) == (202, {"status": "verification_sent"})
    token = token_of(await last_message(ident.engine, email, "verify_email"))
    status, body = await browser.call("POST", "/auth/verify", json={"token": token})
    assert status == 200, body
    return dict(body)


async def test_sign_in_sets_a_secure_cookie_session_and_csrf_guards_cookie_writes(
    stack: Stack, ident: Identity
) -> None:
    business = await make_business(ident)
    async with device(stack, business.slug) as browser:
        await sign_up_verified(ident, browser, unique_email())
        status, _ = await browser.call("GET", "/me")
        response = browser.response
        assert status == 200
        cookies = response.request_info.headers.get("Cookie", "")
        assert "regulars_session=" in cookies
        # A fresh sign-in shows the cookie attributes.
        email = (await browser.call("GET", "/me"))[1]["email"]
        status, body = await browser.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        response = browser.response
        assert status == 200
        set_cookie = response.headers.getall("Set-Cookie")
        session_cookie = next(c for c in set_cookie if c.startswith("regulars_session="))
        assert "HttpOnly" in session_cookie
        assert "SameSite=Lax" in session_cookie
        assert "Path=/" in session_cookie
        assert "Secure" not in session_cookie  # public_url is http here
        csrf_cookie = next(c for c in set_cookie if c.startswith("regulars_csrf="))
        assert "HttpOnly" not in csrf_cookie

        status, body = await browser.call("PATCH", "/me", json={"first_name": "Eve"}, csrf=False)
        assert (status, body["error"]["code"]) == (403, "csrf_failed")
        forged = {"X-CSRF-Token": "forged"}
        status, body = await browser.call("PATCH", "/me", json={"first_name": "Eve"}, csrf=False, headers=forged)
        assert (status, body["error"]["code"]) == (403, "csrf_failed")
        status, body = await browser.call("PATCH", "/me", json={"first_name": "Ana María"})
        assert (status, body["first_name"]) == (200, "Ana María")


async def test_bearer_token_needs_no_csrf_and_sign_out_ends_it_at_once(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    async with device(stack, business.slug) as browser, device(stack, business.slug) as app:
        signed_in = await sign_up_verified(ident, browser, unique_email())
        bearer = {"Authorization": f"Bearer {signed_in['session']['token']}"}
        status, body = await app.call("PATCH", "/me", json={"phone": "+34 600 12 34 56"}, headers=bearer)
        assert (status, body["phone"]) == (200, "+34600123456")
        status, _ = await app.call("POST", "/auth/logout", headers=bearer)
        assert status == 204
        status, body = await app.call("GET", "/me", headers=bearer)
        assert (status, body["error"]["code"]) == (401, "not_signed_in")
        # The browser's cookie was the same session: it ended too.
        status, _ = await browser.call("GET", "/me")
        assert status == 401


async def test_r_t4_session_refused_with_404_on_another_organization_and_accepted_on_a_sibling(
    stack: Stack, ident: Identity
) -> None:
    org = f"org-{uuid.uuid4().hex[:10]}"
    home = await make_business(ident, client_database="global", org_slug=org)
    sibling = await make_business(ident, client_database="global", org_slug=org)
    stranger = await make_business(ident, client_database="global")
    async with device(stack, home.slug) as browser:
        signed_in = await sign_up_verified(ident, browser, unique_email())
        bearer = {"Authorization": f"Bearer {signed_in['session']['token']}"}
        async with aiohttp.ClientSession() as http:
            for business, expected in ((sibling, 200), (stranger, 404)):
                async with http.get(f"{stack.gateway_url}/api/v1/b/{business.slug}/me", headers=bearer) as response:
                    body = await response.json()
                assert response.status == expected, body
                if expected == 404:
                    assert signed_in["account"]["email"] not in json.dumps(body)


async def test_no_enumeration_on_register_login_forgot_and_resend(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    async with device(stack, business.slug) as browser:
        known = (await sign_up_verified(ident, browser, unique_email()))["account"]["email"]
        unknown = unique_email()
        for path, body in (
            ("/auth/register", {"password": "another passphrase", "first_name": "X", "last_name": "Y"}),
            ("/auth/login", {"password": "a wrong password"}),
            ("/auth/password/forgot", {}),
            ("/auth/resend-verification", {}),
        ):
            answers = []
            for email in (known, unknown):
                async with device(stack, business.slug) as other:
                    answers.append(await other.call("POST", path, json={**body, "email": email}))
            assert answers[0] == answers[1], path


async def test_r_s1_client_logins_off_hides_every_auth_endpoint(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident, client_logins="off")
    async with device(stack, business.slug) as browser:
        for path in ("/auth/register", "/auth/login", "/auth/password/forgot"):
            status, body = await browser.call("POST", path, json={"email": unique_email(), "password": PASSWORD})
            assert (status, body["error"]["code"]) == (404, "client_logins_disabled"), path


async def test_login_rate_limited_per_forwarded_address(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    async with device(stack, business.slug) as attacker, device(stack, business.slug) as client:
        email = (await sign_up_verified(ident, client, unique_email()))["account"]["email"]
        statuses = [
            (await attacker.call("POST", "/auth/login", json={"email": email, "password": "guess guess"}))[0]
            for _ in range(11)
        ]
        assert statuses == [401] * 10 + [429]
        status, _ = await client.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        assert status == 200


async def _api_key(ident: Identity, business: BusinessSnapshot) -> str:
    async with UnitOfWork(ident.engine) as uow:
        return (await create_api_key(uow, business.slug, "test")).secret


async def test_staff_api_settings_status_and_staff_only_pet_fields(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    other = await make_business(ident, vertical="pet")
    key, other_key = await _api_key(ident, business), await _api_key(ident, other)
    admin = f"{stack.gateway_url}/api/v1/admin/businesses/{business.slug}"
    async with device(stack, business.slug) as browser:
        signed_in = await sign_up_verified(ident, browser, unique_email())
        account_id = signed_in["account"]["account_id"]
        status, pet = await browser.call("POST", "/me/pets", json={"name": "Rex", "species": "dog", "weight_kg": 12.5})
        assert status == 201
        async with aiohttp.ClientSession() as http:
            auth = {"Authorization": f"Bearer {key}"}
            async with http.get(f"{admin}/settings") as response:
                assert response.status == 401
            async with http.get(f"{admin}/settings", headers={"Authorization": f"Bearer {other_key}"}) as response:
                assert response.status == 404
            async with http.patch(f"{admin}/settings", json={"client_logins": "required"}, headers=auth) as response:
                assert (response.status, (await response.json())["client_logins"]) == (200, "required")
            async with http.get(f"{admin}/clients", params={"email": signed_in["account"]["email"]}, headers=auth) as r:
                assert (r.status, (await r.json())["status"]) == (200, "active")
            url = f"{admin}/clients/{account_id}/pets/{pet['pet_id']}"
            async with http.patch(url, json={"staff_notes": "Nervous"}, headers=auth) as response:
                assert (response.status, (await response.json())["staff_notes"]) == (200, "Nervous")
            other_admin = f"{stack.gateway_url}/api/v1/admin/businesses/{other.slug}"
            url = f"{other_admin}/clients/{account_id}"
            async with http.get(url, headers={"Authorization": f"Bearer {other_key}"}) as response:
                assert response.status == 404
        status, pets = await browser.call("GET", "/me/pets")
        assert status == 200
        assert "Nervous" not in json.dumps(pets)
        assert "staff_notes" not in json.dumps(pets)


async def test_export_and_delete_through_the_gateway(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    async with device(stack, business.slug) as browser:
        email = (await sign_up_verified(ident, browser, unique_email()))["account"]["email"]
        status, exported = await browser.call("GET", "/me/export")
        response = browser.response
        assert (status, exported["account"]["email"]) == (200, email)
        assert "attachment" in response.headers["Content-Disposition"]
        status, body = await browser.call("DELETE", "/me", json={"password": "not my password"})
        assert (status, body["error"]["code"]) == (403, "wrong_password")
        status, _ = await browser.call("DELETE", "/me", json={"password": PASSWORD})
        assert status == 204
        status, _ = await browser.call("POST", "/auth/login", json={"email": email, "password": PASSWORD})
        assert status == 401


async def test_r_i3_purge_job_from_the_command_line_with_a_moved_clock(stack: Stack, ident: Identity) -> None:
    business = await make_business(ident)
    email = unique_email()
    async with device(stack, business.slug) as browser:
        await browser.call(
            "POST", "/auth/register", json={"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"}
        )
        week_later = (clock.now() + timedelta(days=7, minutes=1)).isoformat()
        out = json.loads(stack.cli("identity", "jobs", "run", "purge-unverified", "--as-of", week_later))
        assert out["job"] == "purge-unverified"
        assert out["deleted"] >= 1
        token = token_of(await last_message(ident.engine, email, "verify_email"))
        status, body = await browser.call("POST", "/auth/verify", json={"token": token})
        assert (status, body["error"]["code"]) == (400, "token_invalid")  # the account is gone


async def test_demo_seed_gives_a_demo_client_who_can_sign_in(stack: Stack, tmp_path: Any) -> None:
    out = tmp_path / "demo.json"
    stack.cli("identity", "demo", "seed", "--out", str(out))
    demo = json.loads(out.read_text())
    client = demo["demo_client"]
    for slug in client["businesses"]:
        async with device(stack, slug) as browser:
            status, body = await browser.call(
                "POST", "/auth/login", json={"email": client["email"], "password": client["password"]}
            )
            assert status == 200, body
            assert body["account"]["email_verified"] is True
