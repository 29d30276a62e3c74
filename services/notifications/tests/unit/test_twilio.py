"""The Twilio adapter speaks Twilio's Messages API (a fake Twilio in this unit test)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from regulars.notifications.adapters.sms import TwilioSmsProvider, build_sms_provider
from regulars.notifications.adapters.transport import Outgoing, PermanentFailure, TransientFailure
from regulars.shared.settings import Settings
from regulars.shared.testing.infra import free_port


@pytest.fixture
async def fake_twilio() -> AsyncIterator[tuple[str, list[dict[str, Any]], list[int]]]:
    received: list[dict[str, Any]] = []
    answers: list[int] = []

    async def messages(request: web.Request) -> web.Response:
        form = await request.post()
        received.append({"path": request.path, "auth": request.headers.get("Authorization"), **form})
        status = answers.pop(0) if answers else 201
        body = {"sid": "SM0001", "status": "queued"} if status == 201 else {"code": 21211, "message": "Invalid 'To'"}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", received, answers
    await runner.cleanup()


async def test_twilio_send_posts_the_form_with_basic_auth_and_classifies_failures(fake_twilio: Any) -> None:
    url, received, answers = fake_twilio
    provider = TwilioSmsProvider(url, "AC42", "tok", "+15550001234")
    message = Outgoing(uuid.uuid4(), "sms", "+393331234567", "", "Hello from the salon")
    try:
        assert "SM0001" in await provider.send(message)
        (call,) = received
        assert call["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
        assert call["auth"] == "Basic " + base64.b64encode(b"AC42:tok").decode()
        assert (call["To"], call["From"], call["Body"]) == ("+393331234567", "+15550001234", "Hello from the salon")
        answers.extend([400, 429, 503])
        with pytest.raises(PermanentFailure):
            await provider.send(message)
        for _ in range(2):
            with pytest.raises(TransientFailure):
                await provider.send(message)
    finally:
        await provider.close()


async def test_provider_is_chosen_by_settings() -> None:
    twilio = build_sms_provider(Settings(sms_provider="twilio", twilio_account_sid="AC1", twilio_auth_token="t"))
    dev = build_sms_provider(Settings(sms_provider="dev", mailbox_http_port=8099))
    try:
        assert (twilio.name, dev.name) == ("twilio", "dev")
    finally:
        await twilio.close()
        await dev.close()
    with pytest.raises(ValueError, match="twilio_account_sid"):
        build_sms_provider(Settings(sms_provider="twilio"))
    with pytest.raises(ValueError, match="unknown"):
        build_sms_provider(Settings(sms_provider="carrier-pigeon"))
