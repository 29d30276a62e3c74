"""SMS end to end: marketing SMS lands in the dev mailbox's SMS box; an inbound STOP through the gateway
turns SMS marketing off, so the next marketing SMS is suppressed; the dispatch log CLI shows why."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import uuid
from typing import Any

import aiohttp
import pytest

from regulars.shared.testing.businesses import create_api_key, create_business, register, verified
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import REPO, Stack, settings_env
from regulars.shared.testing.mailbox import texts
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


def notifications_cli(stack: Stack, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "regulars.notifications", *args],
        env=settings_env(stack.settings), cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_sms_marketing_then_stop_reply_turns_it_off(stack: Stack) -> None:
    slug = f"sms-{uuid.uuid4().hex[:8]}"
    create_business(
        stack, slug, org_name="Sms Org", name="Barbearia Sete", timezone="Europe/Lisbon", currency="EUR", locale="pt"
    )
    phone = f"+35191{uuid.uuid4().int % 10**7:07d}"
    email = f"rui-{uuid.uuid4().hex[:6]}@example.com"
    async with aiohttp.ClientSession() as http:
        gw, key = Gateway(http, stack), create_api_key(stack, slug)

        await register(gw, slug, email, first_name="Rui", last_name="Sá", phone=phone, marketing_opt_in=True)
        signed = await verified(gw, slug, email, "Confirme o seu email")
        gw.token = signed["session"]["token"]
        account_id = signed["account"]["account_id"]

        async def send(title: str) -> str:
            async def accepted() -> Any:
                status, body = await gw.call(
                    "POST", f"/api/v1/admin/businesses/{slug}/messages", token=key,
                    json={"channel": "sms", "title": title, "text": "Corte a metade do preço.",
                          "account_id": account_id},
                )  # fmt: skip
                # 404 until the contact reached notifications (the phone comes with it, in
                # identity.client.registered.v1).
                return body if status == 202 and body["queued"] else None

            body = await eventually(accepted)
            return str(body["queued"][0])

        await send("Promoção")
        (sms,) = await eventually(lambda: texts(http, stack, phone))
        assert sms["body"].startswith("Barbearia Sete: Promoção. Corte a metade do preço.")

        # The client answers STOP; the provider calls the gateway's webhook, signed.
        reply = json.dumps({"from": phone, "body": "STOP", "id": f"in-{uuid.uuid4().hex[:8]}"})
        signature = hmac.new(stack.settings.sms_webhook_secret.encode(), reply.encode(), hashlib.sha256).hexdigest()
        async with http.post(
            f"{stack.gateway_url}/api/v1/sms/inbound/dev", data=reply,
            headers={"Content-Type": "application/json", "X-Regulars-Sms-Signature": signature},
        ) as response:  # fmt: skip
            assert response.status == 200, await response.text()
            assert await response.json() == {"action": "stop", "changed": 1}
        async with http.post(
            f"{stack.gateway_url}/api/v1/sms/inbound/dev", data=reply,
            headers={"Content-Type": "application/json", "X-Regulars-Sms-Signature": "0" * 64},
        ) as response:  # fmt: skip
            assert response.status == 403
            assert (await response.json())["error"]["code"] == "invalid_signature"

        status, prefs = await gw.call("GET", f"/api/v1/b/{slug}/me/notification-preferences")
        assert status == 200
        assert prefs["sms"] == {"transactional": True, "marketing": False}
        assert prefs["email"]["marketing"] is True

        message_id = await send("Outra promoção")

        async def decided() -> Any:
            _, detail = await gw.call("GET", f"/api/v1/admin/businesses/{slug}/messages/{message_id}", token=key)
            return detail if detail.get("status") not in ("queued", "sending") else None

        detail = await eventually(decided)
        assert detail["status"] == "suppressed"
        assert len(await texts(http, stack, phone)) == 1

    # The operator's view of the same dispatch log.
    shown = json.loads(notifications_cli(stack, "messages", "show", message_id))
    assert shown["status"] == "suppressed"
    assert "sms marketing is of" in shown["dispatch_log"][-1]["detail"]
    listed = notifications_cli(stack, "messages", "list", "--account", account_id, "--json")
    assert {json.loads(line)["channel"] for line in listed.splitlines()} == {"sms", "email"}
