"""Issue 8, headers, against the real stack: nosniff and a Server without a version on every answer
(gateway and services), no-store on every /me answer, and the widget's frame-ancestors from the
business's embed_origins setting (validated as https origins)."""

from __future__ import annotations

import uuid

import pytest

from regulars.shared.testing.businesses import create_api_key, create_business, signed_up, wait_until_served
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


def assert_house_headers(gw: Gateway, what: str) -> None:
    headers = gw.response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Server") == "Regulars", (what, headers.get("Server"))


@pytest.fixture
async def business(stack: Stack) -> str:
    slug = f"headers-{uuid.uuid4().hex[:8]}"
    create_business(stack, slug)
    await wait_until_served(stack, slug)
    return slug


async def test_every_gateway_answer_says_nosniff_and_no_server_version(stack: Stack, business: str) -> None:
    async with Gateway.device(stack) as gw:
        for method, path, status in [
            ("GET", "/healthz", 200),
            ("GET", "/api/v1/openapi.json", 200),
            ("GET", f"/api/v1/b/{business}", 200),
            ("GET", f"/w/{business}/", 200),
            ("GET", "/w/_/app.js", 200),
            ("GET", f"/w/{business}/manifest.webmanifest", 200),
            ("GET", "/w/_/no-such-file.js", 404),
            ("GET", "/api/v1/b/no-such-business-here", 404),
            ("GET", f"/api/v1/b/{business}/me", 401),
            ("DELETE", "/healthz", 405),
            ("POST", f"/api/v1/b/{business}/auth/login", 400),  # not JSON
        ]:
            got, _ = await gw.call(method, path, data=b"{" if method == "POST" else None)
            assert got == status, (method, path, got)
            assert_house_headers(gw, f"{method} {path}")


async def test_every_service_answer_says_nosniff_and_no_server_version(stack: Stack) -> None:
    async with Gateway.device(stack) as gw:
        for service in ("identity", "appointments", "wallet", "notifications"):
            base = stack.settings.url_of(service)
            for path, status in [("/health/live", 200), ("/internal/nothing", 401)]:
                async with gw.http.get(base + path) as response:
                    assert response.status == status, (service, path)
                    assert response.headers.get("X-Content-Type-Options") == "nosniff"
                    assert response.headers.get("Server") == "Regulars"


async def test_every_me_answer_is_no_store_and_other_answers_are_not(stack: Stack, business: str) -> None:
    async with Gateway.device(stack) as gw:
        token = await signed_up(gw, business, f"nostore-{uuid.uuid4().hex[:8]}@example.com")
        me = f"/api/v1/b/{business}/me"
        for method, path, status in [
            ("GET", me, 200),
            ("GET", me + "/sessions", 200),
            ("GET", me + "/bookings", 200),
            ("GET", me + "/export", 200),
            ("PATCH", me, 422),
            ("GET", me + "/no-such-thing", 404),
        ]:
            got, body = await gw.call(method, path, token=token, json={"first_name": ""} if method == "PATCH" else None)
            assert got == status, (method, path, body)
            assert gw.response.headers.get("Cache-Control") == "no-store", (method, path)
            assert_house_headers(gw, path)
    async with Gateway.device(stack) as stranger:  # no session: the 401 is not kept either
        assert (await stranger.call("GET", me))[0] == 401
        assert stranger.response.headers.get("Cache-Control") == "no-store"
        assert (await stranger.call("GET", f"/api/v1/b/{business}"))[0] == 200
        assert stranger.response.headers.get("Cache-Control") != "no-store"


async def test_the_widget_is_framed_only_by_the_sites_its_business_lists(stack: Stack, business: str) -> None:
    key = create_api_key(stack, business)
    settings = f"/api/v1/admin/businesses/{business}/settings"
    async with Gateway.device(stack) as gw:
        gw.token = key
        assert (await gw.call("GET", f"/w/{business}/sign-in"))[0] == 200
        assert gw.response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
        assert (await gw.call("GET", f"/api/v1/b/{business}"))[1]["embed_origins"] == []

        for bad in [
            "http://shop.example.com",
            "https://*.example.com",
            "https://shop.example.com/book",
            "https://shop.example.com; script-src *",
            "https://user@shop.example.com",
            "'self'",
        ]:
            status, body = await gw.call("PATCH", settings, json={"embed_origins": [bad]})
            assert (status, body["error"]["code"]) == (422, "validation_error"), bad
            assert body["error"]["fields"][0]["field"].startswith("embed_origins"), body
        status, body = await gw.call("PATCH", settings, json={"embed_origins": ["https://a.example.com"] * 21})
        assert status == 422, body

        allowed = ["https://Shop.Example.com:443", "https://book.example.com:8443/", "http://localhost:3000"]
        status, body = await gw.call("PATCH", settings, json={"embed_origins": allowed})
        assert status == 200, body
        normal = ["https://shop.example.com", "https://book.example.com:8443", "http://localhost:3000"]
        assert body["embed_origins"] == normal

        async def served() -> bool:
            await gw.call("GET", f"/w/{business}/")
            return gw.response.headers["Content-Security-Policy"].endswith("frame-ancestors " + " ".join(normal))

        await eventually(served, timeout=10)
        assert (await gw.call("GET", f"/api/v1/b/{business}"))[1]["embed_origins"] == normal

        assert (await gw.call("PATCH", settings, json={"embed_origins": []}))[0] == 200
        await gw.call("GET", f"/w/{business}/account")
        assert gw.response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
        # A page for a slug that names no business is not framed either.
        assert (await gw.call("GET", "/w/no-such-business-here/"))[0] == 404
        assert gw.response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
