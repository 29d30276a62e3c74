"""The dev mailbox's SMS box: what the development SMS provider posts, listed and cleared."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from regulars.devmailbox.app import build_app
from regulars.devmailbox.store import Mailbox, SmsBox
from regulars.shared.testing.infra import free_port

pytestmark = pytest.mark.integration


async def test_sms_box_receives_lists_filters_and_clears() -> None:
    box = SmsBox()
    runner = web.AppRunner(build_app(Mailbox(), "127.0.0.1", free_port(), box))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}/api/sms"
    try:
        async with aiohttp.ClientSession() as http:
            for to, body in (("+391", "first"), ("+392", "second"), ("+391", "third")):
                async with http.post(base, json={"to": to, "from": "+1555", "body": body, "message_id": "m"}) as r:
                    assert r.status == 201
                    assert (await r.json())["to"] == to
            for bad in (b"not json", b'{"to": "+391"}', b'{"to": "", "body": "x"}'):
                async with http.post(base, data=bad, headers={"Content-Type": "application/json"}) as r:
                    assert r.status == 400
                    assert (await r.json())["error"]["code"] == "invalid_sms"
            async with http.get(base, params={"to": "+391"}) as r:
                assert [m["body"] for m in await r.json()] == ["third", "first"]  # newest first
            async with http.get(base) as r:
                assert len(await r.json()) == 3
            async with http.delete(base) as r:
                assert r.status == 204
            async with http.get(base) as r:
                assert await r.json() == []
    finally:
        await runner.cleanup()
