"""An SMTP server that accepts and counts messages (``GET /count`` on its HTTP port), in its own process.

``python -m bench.courier.sink SMTP_PORT HTTP_PORT``. It keeps nothing but the
count and the ``X-Regulars-Message-Id`` headers it saw, so the benchmark can
check that no message arrived twice.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

SEEN: Counter[str] = Counter()
TOTAL = [0]


class CountingHandler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        TOTAL[0] += 1
        content = envelope.original_content or b""
        marker = b"X-Regulars-Message-Id: "
        start = content.find(marker)
        if start >= 0:
            end = content.find(b"\r\n", start)
            SEEN[content[start + len(marker) : end].decode()] += 1
        return "250 OK"


async def count(_request: web.Request) -> web.Response:
    return web.json_response({"total": TOTAL[0], "distinct": len(SEEN), "max_per_id": max(SEEN.values(), default=0)})


async def reset(_request: web.Request) -> web.Response:
    TOTAL[0] = 0
    SEEN.clear()
    return web.Response(status=204)


async def main(smtp_port: int, http_port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(CountingHandler()), "127.0.0.1", smtp_port)
    app = web.Application()
    app.router.add_get("/count", count)
    app.router.add_delete("/count", reset)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    print("ready", flush=True)
    stop: asyncio.Future[Any] = loop.create_future()
    try:
        await stop
    finally:
        server.close()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
