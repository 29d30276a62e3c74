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

from regulars.shared.testing.businesses import create_api_key, create_business, register, verified
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
async def signed_in(stack: Stack, engines: dict[str, AsyncEngine]) -> Any:
    """A verified client of a new business: its gateway caller (with the session), slug, API key, email, id."""
    slug = f"notif-{uuid.uuid4().hex[:8]}"
    create_business(
        stack, slug, org_name="Notif Org", name="Studio Nove", timezone="Europe/Lisbon", currency="EUR", locale="en"
    )
    key = create_api_key(stack, slug)
    async with aiohttp.ClientSession() as http:
        gw = Gateway(http, stack)
        email = f"mia-{uuid.uuid4().hex[:6]}@example.com"

        await register(
            gw, slug, email, password="a-long-unusual-passphrase-9", first_name="Mia", last_name="Lopes", locale="en",
            marketing_opt_in=True,
        )  # fmt: skip
        signed = await verified(gw, slug, email, "Confirm your email")
        gw.token = signed["session"]["token"]
        yield gw, slug, key, email, signed["account"]["account_id"]


async def test_done_when_marketing_off_is_not_sent_and_password_reset_still_is(signed_in: Any) -> None:
    gw, slug, key, email, account_id = signed_in

    # Consent given at sign-up: marketing on, transactional on.
    async def opted_in() -> Any:
        status, body = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences")
        return body if status == 200 and body["email"]["marketing"] else None

    prefs = await eventually(opted_in)
    assert prefs["email"] == {"transactional": True, "marketing": True}
    assert set(prefs["always_sent"]) == {"security", "receipt"}

    # A first marketing message reaches the client, with one-click unsubscribe headers.
    status, sent = await gw.call(
        "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
        json={"title": "Autumn treat", "text": "A free hand massage this week.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202, sent
    first = (await eventually(lambda: gw.mail(email, "Autumn treat")))[0]
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The client turns marketing email off in the widget (the API it uses).
    off = {"email": {"transactional": True, "marketing": False}, "sms": {"transactional": True, "marketing": True}}
    status, body = await gw.call("PUT", f"/api/v1/b/{slug}/me/notification-preferences", json=off)
    assert status == 200, body
    assert body["email"]["marketing"] is False

    status, second = await gw.call(
        "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
        json={"title": "Winter offer", "text": "Two for one.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202
    (message_id,) = second["queued"]

    async def decided() -> Any:
        status, detail = await gw.call("GET", f"/api/v1/admin/businesses/{slug}/messages/{message_id}", token=key)
        return detail if status == 200 and detail["status"] not in ("queued", "sending") else None

    detail = await eventually(decided)
    assert detail["status"] == "suppressed"
    assert "email marketing is off in the recipient's preferences" in detail["dispatch_log"][-1]["detail"]

    # The password-reset email is still sent.
    status, _ = await gw.call("POST", f"/api/v1/b/{slug}/auth/password/forgot", token="", json={"email": email})
    assert status == 202
    assert await eventually(lambda: gw.mail(email, "Reset your password"))
    assert await gw.mail(email, "Winter offer") == []

    status, listing = await gw.call("GET", f"/api/v1/admin/businesses/{slug}/messages?status=suppressed", token=key)
    assert status == 200
    assert [m["id"] for m in listing["messages"]] == [message_id]


async def test_unsubscribe_link_get_changes_nothing_post_unsubscribes(signed_in: Any) -> None:
    gw, slug, key, email, account_id = signed_in

    async def marketing_on() -> bool:
        status, body = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences")
        return status == 200 and bool(body["email"]["marketing"])

    await eventually(marketing_on)
    status, _ = await gw.call(
        "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
        json={"title": "Spring news", "text": "New colours.", "account_id": account_id},
    )  # fmt: skip
    assert status == 202
    mail = (await eventually(lambda: gw.mail(email, "Spring news")))[0]
    page = re.search(r"(http\S+/w/\S+/unsubscribe\?token=(\S+))", mail["text"])
    assert page is not None
    token = page[2]

    for _ in range(3):  # a mail scanner following the link, more than once
        status, body = await gw.call("GET", f"/api/v1/b/{slug}/unsubscribe", token="", params={"token": token})
        assert status == 200
        assert body == {"business": slug, "business_name": "Studio Nove", "channel": "email",
                        "category": "marketing", "subscribed": True}  # fmt: skip
    assert await marketing_on()

    status, body = await gw.call("POST", f"/api/v1/b/{slug}/unsubscribe", token="", json={"token": token})
    assert status == 200
    assert body["subscribed"] is False
    assert not await marketing_on()

    # A forged or foreign token is refused with a stable code.
    status, body = await gw.call("POST", f"/api/v1/b/{slug}/unsubscribe", token="", json={"token": token[:-3] + "abc"})
    assert (status, body["error"]["code"]) == (400, "invalid_token")


async def test_rfc8058_one_click_post_to_the_list_unsubscribe_url(signed_in: Any) -> None:
    gw, slug, key, email, account_id = signed_in

    async def prefs() -> Any:
        status, body = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences")
        return body if status == 200 and body["email"]["marketing"] else None

    await eventually(prefs)
    await gw.call(
        "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
        json={"title": "One click", "text": "Hello.", "account_id": account_id},
    )  # fmt: skip
    mail = (await eventually(lambda: gw.mail(email, "One click")))[0]
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
    _, body = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences")
    assert body["email"]["marketing"] is False
    assert body["sms"]["marketing"] is True


async def test_preferences_need_a_session_and_a_valid_matrix(signed_in: Any) -> None:
    gw, slug, _key, _email, _account_id = signed_in
    status, body = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences", token="")
    assert (status, body["error"]["code"]) == (401, "not_signed_in")
    status, body = await gw.call("PUT", f"/api/v1/b/{slug}/me/notification-preferences", json={"email": {}})
    assert (status, body["error"]["code"]) == (422, "validation_error")
    status, body = await gw.call(
        "PUT",
        f"/api/v1/b/{slug}/me/notification-preferences",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["error"]["code"]) == (400, "invalid_json")
