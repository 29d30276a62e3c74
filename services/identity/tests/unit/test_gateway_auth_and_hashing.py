"""The gateway's view of the caller (address behind proxies, CSRF binding) and the bounded hashing pool."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from regulars.gateway.auth import CSRF_COOKIE, CSRF_HEADER, check_csrf, csrf_value, session_secret
from regulars.gateway.caller import client_ip
from regulars.gateway.keys import SETTINGS
from regulars.identity.adapters.passwords import PasswordHashing
from regulars.shared.domain_errors import Unavailable
from regulars.shared.http.errors import ApiError
from regulars.shared.settings import Settings


def request(peer: str, headers: dict[str, str], trusted: str, method: str = "GET") -> web.Request:
    app = web.Application()
    app[SETTINGS] = Settings(trusted_proxies=trusted)

    class Transport:
        def get_extra_info(self, name: str, default: object = None) -> object:
            return (peer, 40000) if name == "peername" else default

        def is_closing(self) -> bool:
            return False

    return make_mocked_request(method, "/", headers=headers, app=app, transport=Transport())


def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    assert client_ip(request("203.0.113.9", {"X-Forwarded-For": "10.9.9.9"}, "127.0.0.0/8")) == "203.0.113.9"
    assert client_ip(request("127.0.0.1", {"X-Forwarded-For": "10.9.9.9"}, "")) == "127.0.0.1"


def test_forwarded_for_is_read_right_to_left_up_to_the_first_untrusted_hop() -> None:
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.2"}  # spoofed, client, inner proxy
    assert client_ip(request("127.0.0.1", chain, "127.0.0.0/8,10.0.0.0/8")) == "198.51.100.7"
    assert client_ip(request("127.0.0.1", {}, "127.0.0.0/8")) == "127.0.0.1"


def test_csrf_needs_the_header_equal_to_the_cookie_and_bound_to_the_session() -> None:
    settings = Settings()
    token = "rgs_session-token"
    good = csrf_value(settings, token)
    assert good != csrf_value(settings, "rgs_another")

    def post(header: str | None, cookie: str | None) -> web.Request:
        headers = {"Cookie": f"{CSRF_COOKIE}={cookie}; regulars_session={token}"} if cookie else {}
        if header:
            headers[CSRF_HEADER] = header
        return request("127.0.0.1", headers, "", method="POST")

    check_csrf(post(good, good), token)
    for header, cookie in ((None, good), (good, None), ("x", "x"), (good, "other")):
        with pytest.raises(ApiError) as refused:
            check_csrf(post(header, cookie), token)
        assert (refused.value.status, refused.value.code) == (403, "csrf_failed")
    check_csrf(request("127.0.0.1", {}, ""), token)  # safe methods need nothing


def test_bearer_session_wins_over_the_cookie_and_api_keys_are_not_sessions() -> None:
    both = {"Authorization": "Bearer rgs_abc", "Cookie": "regulars_session=rgs_cookie"}
    assert session_secret(request("127.0.0.1", both, "")) == ("rgs_abc", False)
    assert session_secret(request("127.0.0.1", {"Cookie": "regulars_session=rgs_c"}, "")) == ("rgs_c", True)
    assert session_secret(request("127.0.0.1", {"Authorization": "Bearer rgk_key"}, "")) == (None, False)


async def test_hashing_pool_sheds_load_beyond_its_queue_instead_of_waiting_forever() -> None:
    hashing = PasswordHashing(workers=1, queue=1)
    try:
        results = await asyncio.gather(*(hashing.hash("a long passphrase") for _ in range(3)), return_exceptions=True)
    finally:
        hashing.close()
    busy = [r for r in results if isinstance(r, Unavailable)]
    assert [r.code for r in busy] == ["busy", "busy"]
    assert next(r for r in results if isinstance(r, str)).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_unknown_account_check_costs_a_verification_and_never_matches() -> None:
    hashing = PasswordHashing()
    try:
        assert await hashing.verify(None, "regulars-dummy-password") is False
        stored = await hashing.hash("a long passphrase")
        assert await hashing.verify(stored, "a long passphrase") is True
        assert await hashing.verify(stored, "another passphrase") is False
        assert await hashing.verify("not a hash", "a long passphrase") is False
    finally:
        hashing.close()


def test_r_i4_no_business_endpoint_creates_a_client_account_or_sets_its_password() -> None:
    from regulars.gateway.app import openapi_document

    document = openapi_document()
    admin = {path: ops for path, ops in document["paths"].items() if path.startswith("/api/v1/admin/")}
    assert admin, "the business API is documented"
    # Clients are listed and looked up, never created; only their pets' staff fields are written.
    assert sorted(admin["/api/v1/admin/businesses/{business}/clients"]) == ["get"]
    assert sorted(admin["/api/v1/admin/businesses/{business}/clients/{account_id}"]) == ["get"]
    for ops in admin.values():
        for op in ops.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            name = body.get("$ref", "").rsplit("/", 1)[-1]
            properties = document["components"]["schemas"].get(name, {}).get("properties", {}) if name else {}
            assert not any("password" in prop for prop in properties), op["operationId"]
