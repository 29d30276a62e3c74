"""Two gateway instances keep resolved sessions, and a sign-out on one is refused on the other.

Instance B is a second real gateway process of the running stack. Its broker connection goes
through a TCP relay this test owns, so the broker can really disappear for B (the connection is
cut, as when RabbitMQ stops) while the rest of the stack keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from regulars.shared.testing.businesses import create_business, signed_up, wait_until_served
from regulars.shared.testing.gateway import Gateway, fresh_ip
from regulars.shared.testing.infra import Stack, free_port
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.e2e


class Relay:
    """A TCP relay to RabbitMQ that can be cut (every connection closed, new ones refused) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)


def via(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{parts.password}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture(scope="module")
async def relay(stack: Stack) -> AsyncIterator[Relay]:
    parts = urlsplit(stack.settings.amqp_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5672)
    await relay.start()
    yield relay
    with contextlib.suppress(AssertionError):
        await relay.cut()


@pytest.fixture(scope="module")
async def gateway_b(stack: Stack, relay: Relay) -> AsyncIterator[str]:
    """A second gateway of the same stack, hearing the broker through ``relay``; its base URL."""
    port = free_port()
    amqp = via(stack.settings.amqp_url, relay.port)
    stack.start("gateway-b", {"REGULARS_GATEWAY_PORT": str(port), "REGULARS_AMQP_URL": amqp}, process_of="gateway")
    url = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: session_cache_of(url, "trusted"), timeout=30)
        yield url
    finally:
        stack.stop("gateway-b")


async def session_cache_of(url: str, expected: str) -> bool:
    with contextlib.suppress(aiohttp.ClientError):
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
            return bool((await response.json()).get("session_cache") == expected)
    return False


async def me_status(url: str, slug: str, token: str) -> int:
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": fresh_ip()}
        async with http.get(f"{url}/api/v1/b/{slug}/me", headers=headers) as response:
            return response.status


async def cache_hits(url: str) -> float:
    """B's count of sessions answered from its cache (its /metrics)."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        text = await response.text()
    found = re.search(r'^regulars_gateway_session_cache_total\{result="hit"\} (\S+)$', text, re.MULTILINE)
    return float(found[1]) if found else 0.0


@pytest.fixture(scope="module")
async def slug(stack: Stack) -> str:
    name = f"sessions-{uuid.uuid4().hex[:6]}"
    create_business(stack, name)
    await wait_until_served(stack, name)
    return name


async def test_a_sign_out_on_one_instance_is_refused_on_the_other_within_a_second(
    stack: Stack, gateway_b: str, slug: str
) -> None:
    async with Gateway.device(stack, ip=fresh_ip()) as a:
        token = await signed_up(a, slug, f"two-{time.monotonic_ns()}@example.com")
        assert await me_status(gateway_b, slug, token) == 200  # B resolves it and keeps it (60 s by default)
        hits = await cache_hits(gateway_b)
        assert await me_status(gateway_b, slug, token) == 200
        assert await cache_hits(gateway_b) == hits + 1  # answered without asking identity
        assert (await a.call("POST", f"/api/v1/b/{slug}/auth/logout", token=token))[0] == 204
        signed_out = time.monotonic()
        assert await me_status(stack.gateway_url, slug, token) == 401  # at once where it happened
        while await me_status(gateway_b, slug, token) != 401:
            assert time.monotonic() - signed_out < 1.0, "instance B still accepts a session revoked on A"
            await asyncio.sleep(0.02)


async def test_with_the_broker_gone_no_kept_session_is_trusted(
    stack: Stack, gateway_b: str, relay: Relay, slug: str
) -> None:
    async with Gateway.device(stack, ip=fresh_ip()) as a:
        token = await signed_up(a, slug, f"cut-{time.monotonic_ns()}@example.com")
        assert await me_status(gateway_b, slug, token) == 200  # kept by B
        await relay.cut()
        await eventually(lambda: session_cache_of(gateway_b, "bypassed"), timeout=10)
        assert await me_status(gateway_b, slug, token) == 200  # still signed in: B asks identity now
        assert (await a.call("POST", f"/api/v1/b/{slug}/auth/logout", token=token))[0] == 204
        assert await me_status(gateway_b, slug, token) == 401  # B heard nothing, and trusted nothing
