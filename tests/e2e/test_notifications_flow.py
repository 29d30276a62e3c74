"""The issue's "done when", through the gateway: a client turns marketing email off, the next marketing
message is not sent (the dispatch log says why) while the password-reset email still is; unsubscribe
links change nothing on GET and unsubscribe on POST (RFC 8058 one-click included)."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


class Client:
    def __init__(self, http: aiohttp.ClientSession, stack: Stack, slug: str) -> None:
        self.http, self.stack, self.slug = http, stack, slug
        self.token = ""
        self.api_key = ""

    def url(self, path: str) -> str:
        return f"{self.stack.gateway_url}{path.format(b=self.slug)}"

    async def call(self, method: str, path: str, *, as_: str = "client", **kwargs: Any) -> tuple[int, Any]:
        secret = self.token if as_ == "client" else self.api_key
        headers = {"Authorization": f"Bearer {secret}"} if as_ != "anonymous" else {}
        headers.update(kwargs.pop("headers", {}))
        async with self.http.request(method, self.url(path), headers=headers, **kwargs) as response:
            return response.status, await response.json(content_type=None)

    async def mail(self, to: str, subject_part: str) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.stack.mailbox_url}/api/messages", params={"to": to}) as response:
            found: list[dict[str, Any]] = await response.json()
        return [m for m in found if subject_part in m["subject"]]


@pytest.fixture
async def signed_in(stack: Stack, engines: dict[str, AsyncEngine]) -> Any:
    slug = f"notif-{uuid.uuid4().hex[:8]}"
    identity_cli(
        stack, "businesses", "create", "--org", f"org-{slug}", "--org-name", "Notif Org", "--slug", slug,
        "--name", "Studio Nove", "--timezone", "Europe/Lisbon", "--currency", "EUR", "--locale", "en",
    )  # fmt: skip
    key = identity_cli(stack, "api-keys", "create", "--business", slug)["key"]
    async with aiohttp.ClientSession() as http:
        client = Client(http, stack, slug)
        client.api_key = str(key)
        email = f"mia-{uuid.uuid4().hex[:6]}@example.com"

        async def registered() -> bool:
            status, _ = await client.call(
                "POST", "/api/v1/b/{b}/auth/register", as_="anonymous",
                json={"email": email, "password": "a-long-unusual-passphrase-9", "first_name": "Mia",
                      "last_name": "Lopes", "locale": "en", "marketing_opt_in": True},
            )  # fmt: skip
            return status == 202  # 404 until the business reached identity's own tables

        await eventually(registered)
        verification = (await eventually(lambda: client.mail(email, "Confirm your email")))[0]
        token = re.search(r"verify\?token=([^\s&]+)", verification["text"])
        assert token is not None
        status, body = await client.call("POST", "/api/v1/b/{b}/auth/verify", as_="anonymous", json={"token": token[1]})
        assert status == 200, body
        client.token = body["session"]["token"]
        yield client, email, body["account"]["account_id"]


async def test_done_when_marketing_off_is_not_sent_and_password_reset_still_is(signed_in: Any) -> None:
    client, email, account_id = signed_in

    # Consent given at sign-up: marketing on, transactional on.
    async def opted_in() -> Any:
        status, body = await client.call("GET", "/api/v1/b/{b}/me/notification-preferences")
        return body if status == 200 and body["email"]["marketing"] else None

    prefs = await eventually(opted_in)
    assert prefs["email"] == {"transactional": True, "marketing": True}
    assert set(prefs["always_sent"]) == {"security", "receipt"}

    # A first marketing message reaches the client, with one-click unsubscribe headers.
    status, sent = await client.call(
        "POST", "/api/v1/admin/businesses/{b}/messages", as_="admin",
        json={"title": "Autumn treat", "text": "A free hand massage this week.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202, sent
    first = (await eventually(lambda: client.mail(email, "Autumn treat")))[0]
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The client turns marketing email off in the widget (the API it uses).
    off = {"email": {"transactional": True, "marketing": False}, "sms": {"transactional": True, "marketing": True}}
    status, body = await client.call("PUT", "/api/v1/b/{b}/me/notification-preferences", json=off)
    assert status == 200, body
    assert body["email"]["marketing"] is False

    status, second = await client.call(
        "POST", "/api/v1/admin/businesses/{b}/messages", as_="admin",
        json={"title": "Winter offer", "text": "Two for one.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202
    (message_id,) = second["queued"]

    async def decided() -> Any:
        status, detail = await client.call("GET", f"/api/v1/admin/businesses/{{b}}/messages/{message_id}", as_="admin")
        return detail if status == 200 and detail["status"] not in ("queued", "sending") else None

    detail = await eventually(decided)
    assert detail["status"] == "suppressed"
    assert "email marketing is off in the recipient's preferences" in detail["dispatch_log"][-1]["detail"]

    # The password-reset email is still sent.
    status, _ = await client.call("POST", "/api/v1/b/{b}/auth/password/forgot", as_="anonymous", json={"email": email})
    assert status == 202
    assert await eventually(lambda: client.mail(email, "Reset your password"))
    assert await client.mail(email, "Winter offer") == []

    status, listing = await client.call("GET", "/api/v1/admin/businesses/{b}/messages?status=suppressed", as_="admin")
    assert status == 200
    assert [m["id"] for m in listing["messages"]] == [message_id]


async def test_unsubscribe_link_get_changes_nothing_post_unsubscribes(signed_in: Any) -> None:
    client, email, account_id = signed_in

    async def marketing_on() -> bool:
        status, body = await client.call("GET", "/api/v1/b/{b}/me/notification-preferences")
        return status == 200 and body["email"]["marketing"]

    await eventually(marketing_on)
    status, _ = await client.call(
        "POST", "/api/v1/admin/businesses/{b}/messages", as_="admin",
        json={"title": "Spring news", "text": "New colours.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202
    mail = (await eventually(lambda: client.mail(email, "Spring news")))[0]
    page = re.search(r"(http\S+/w/\S+/unsubscribe\?token=(\S+))", mail["text"])
    assert page is not None
    token = page[2]

    for _ in range(3):  # a mail scanner following the link, more than once
        status, body = await client.call("GET", "/api/v1/b/{b}/unsubscribe", as_="anonymous", params={"token": token})
        assert status == 200
        assert body == {"business": client.slug, "business_name": "Studio Nove", "channel": "email",
                        "category": "marketing", "subscribed": True}  # fmt: skip
    assert await marketing_on()

    status, body = await client.call("POST", "/api/v1/b/{b}/unsubscribe", as_="anonymous", json={"token": token})
    assert status == 200
    assert body["subscribed"] is False
    assert not await marketing_on()

    # A forged or foreign token is refused with a stable code.
    status, body = await client.call(
        "POST", "/api/v1/b/{b}/unsubscribe", as_="anonymous", json={"token": token[:-3] + "abc"}
    )
    assert (status, body["error"]["code"]) == (400, "invalid_token")


async def test_rfc8058_one_click_post_to_the_list_unsubscribe_url(signed_in: Any) -> None:
    client, email, account_id = signed_in

    async def prefs() -> Any:
        status, body = await client.call("GET", "/api/v1/b/{b}/me/notification-preferences")
        return body if status == 200 and body["email"]["marketing"] else None

    await eventually(prefs)
    await client.call(
        "POST", "/api/v1/admin/businesses/{b}/messages", as_="admin",
        json={"title": "One click", "text": "Hello.", "account_id": account_id},
    )  # fmt: skip
    mail = (await eventually(lambda: client.mail(email, "One click")))[0]
    target = mail["headers"]["List-Unsubscribe"].strip("<>")
    assert parse_qs(urlsplit(target).query)["token"]
    # What a mail client does (RFC 8058): POST the URL with this form body, no cookies, no session.
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.post(
            target, data="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
        ) as response,
    ):
        assert response.status == 200
        assert (await response.json())["subscribed"] is False
    _, body = await client.call("GET", "/api/v1/b/{b}/me/notification-preferences")
    assert body["email"]["marketing"] is False
    assert body["sms"]["marketing"] is True


async def test_preferences_need_a_session_and_a_valid_matrix(signed_in: Any) -> None:
    client, _email, _account_id = signed_in
    status, body = await client.call("GET", "/api/v1/b/{b}/me/notification-preferences", as_="anonymous")
    assert (status, body["error"]["code"]) == (401, "not_signed_in")
    status, body = await client.call("PUT", "/api/v1/b/{b}/me/notification-preferences", json={"email": {}})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    status, body = await client.call(
        "PUT",
        "/api/v1/b/{b}/me/notification-preferences",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["error"]["code"]) == (400, "invalid_json")
