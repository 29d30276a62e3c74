"""Resolved sessions kept in each gateway instance, so a signed-in request costs no call to identity.

A session resolved by identity is kept for ``session_cache_seconds`` and forgotten at once when
identity says it no longer holds: ``identity.session.revoked.v1`` (sign-out, password reset or
change, "sign out that device"), ``identity.client.deleted.v1`` (every session of the account) and
``identity.business.updated.v1`` (the business snapshot inside the answer changed). Each instance
hears those events on a queue of its own (exclusive, deleted with its connection), so a sign-out on
one instance takes effect on all of them.

The cache is trusted only while that subscription is up. When the broker connection drops, every
entry is forgotten and every request asks identity again until the subscription is back (an event
sent while it was down is lost with the instance's queue, so nothing from before is trusted then).
A resolution that raced an invalidation is not kept (``epoch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage
from aiohttp import web
from prometheus_client import Counter
from pydantic import ValidationError

from regulars.shared.contracts.identity import BusinessUpdated, ClientDeleted, ResolvedSession, SessionRevoked
from regulars.shared.logging import describe_error
from regulars.shared.messaging.topology import declare_events_exchange
from regulars.shared.settings import Settings

log = structlog.get_logger(__name__)

LOOKUPS = Counter("regulars_gateway_session_cache_total", "Session resolutions by the gateway", ["result"])

INVALIDATING = (SessionRevoked, ClientDeleted, BusinessUpdated)
Key = tuple[str, str]  # (business slug, sha-256 of the token): the token itself is never kept


@dataclass
class _Entry:
    resolved: ResolvedSession
    until: float  # time.monotonic()


@dataclass
class SessionCache:
    """Resolved sessions by (slug, token digest), with indexes to forget them by session, account, business."""

    ttl_seconds: float
    max_entries: int = 100_000
    live: bool = False
    epoch: int = 0
    _entries: dict[Key, _Entry] = field(default_factory=dict)

    @staticmethod
    def key(slug: str, token: str) -> Key:
        return slug, hashlib.sha256(token.encode()).hexdigest()

    def get(self, key: Key) -> ResolvedSession | None:
        """The kept resolution, or None when there is none, it is stale, or the cache is not trusted now."""
        entry = self._entries.get(key) if self.live else None
        if entry is None or entry.until <= time.monotonic():
            LOOKUPS.labels("bypassed" if not self.live else "miss").inc()
            return None
        LOOKUPS.labels("hit").inc()
        return entry.resolved

    def peek(self, key: Key) -> ResolvedSession | None:
        """The kept resolution, stale or not, without counting a lookup."""
        entry = self._entries.get(key)
        return entry.resolved if entry else None

    def put(self, key: Key, resolved: ResolvedSession, epoch: int) -> None:
        """Keep a resolution that started at ``epoch``, unless something was forgotten since."""
        if not self.live or epoch != self.epoch or self.ttl_seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = _Entry(resolved, time.monotonic() + self.ttl_seconds)

    def forget(self, matches: Callable[[ResolvedSession], bool]) -> int:
        """Forget every entry ``matches`` selects; the epoch moves so a resolution in flight is not kept."""
        self.epoch += 1
        gone = [key for key, entry in self._entries.items() if matches(entry.resolved)]
        for key in gone:
            del self._entries[key]
        return len(gone)

    def apply(self, event: SessionRevoked | ClientDeleted | BusinessUpdated) -> int:
        """Forget what an identity event makes untrue."""
        if isinstance(event, SessionRevoked):
            return self.forget(lambda r: r.session_id == event.session_id)
        if isinstance(event, ClientDeleted):
            return self.forget(lambda r: r.account_id == event.account_id)
        return self.forget(lambda r: r.business.business_id == event.business.business_id)

    def set_live(self, live: bool) -> None:
        """Trusted from now on (subscribed) or not (broker gone); either way nothing older is kept."""
        self.forget(lambda _r: True)
        self.live = live


async def resolve(
    cache: SessionCache, slug: str, token: str, ask: Callable[[], Awaitable[ResolvedSession]]
) -> ResolvedSession:
    """The session from the cache, or from identity (``ask``) and then kept."""
    key = cache.key(slug, token)
    found = cache.get(key)
    if found is not None:
        return found
    epoch = cache.epoch
    resolved = await ask()
    cache.put(key, resolved, epoch)
    return resolved


class RevocationFeed:
    """Keeps ``cache`` subscribed to identity's invalidating events; marks it untrusted while it is not."""

    def __init__(self, cache: SessionCache, amqp_url: str, *, retry_seconds: float = 1.0) -> None:
        self._cache = cache
        self._url = amqp_url
        self._retry = retry_seconds
        self._models = {model.routing_key: model for model in INVALIDATING}

    async def run(self) -> None:
        while True:
            try:
                await self._subscribed()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure means: not trusted, try again
                log.warning("session_cache_feed_down", error=describe_error(exc))
            self._cache.set_live(False)
            await asyncio.sleep(self._retry)

    async def _subscribed(self) -> None:
        """One connection's life: declare the instance's queue, consume, trust the cache until it closes."""
        connection = await aio_pika.connect(self._url, heartbeat=5, client_properties={"connection_name": "gateway"})
        closed = asyncio.Event()
        connection.close_callbacks.add(lambda *_: closed.set())
        async with connection:
            channel = await connection.channel()
            exchange = await declare_events_exchange(channel)
            queue = await channel.declare_queue(
                f"gateway.sessions.{uuid.uuid4().hex}", exclusive=True, auto_delete=True, durable=False
            )
            for routing_key in self._models:
                await queue.bind(exchange, routing_key=routing_key)
            await queue.consume(self._on_message, no_ack=True)
            self._cache.set_live(True)
            log.info("session_cache_feed_up")
            await closed.wait()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        model = self._models.get(message.routing_key or "")
        if model is None:
            return
        try:
            event = model.model_validate_json(message.body)
        except ValidationError:
            self._cache.forget(lambda _r: True)  # unreadable: forget everything rather than guess
            return
        self._cache.apply(event)


SESSION_CACHE = web.AppKey("session_cache", SessionCache)


def forget_here(request: web.Request, account_id: uuid.UUID | None = None) -> None:
    """After this instance changed sessions at identity: forget them here at once (the account's, or every
    one when the account is unknown, as on a password reset by link) instead of waiting for the event."""
    request.app[SESSION_CACHE].forget(lambda r: account_id is None or r.account_id == account_id)


def forget_token_here(request: web.Request, slug: str, token: str) -> None:
    """After a sign-out with ``token``: forget its session here at once (every session when it is not kept)."""
    cache = request.app[SESSION_CACHE]
    kept = cache.peek(cache.key(slug, token))
    cache.forget(lambda r: kept is None or r.session_id == kept.session_id)


def session_cache_ctx(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """The app's cache and, when enabled, its feed running beside the app."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        cache = SessionCache(ttl_seconds=settings.session_cache_seconds)
        app[SESSION_CACHE] = cache
        if settings.session_cache_seconds <= 0:
            yield
            return
        task = asyncio.create_task(RevocationFeed(cache, settings.amqp_url).run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx
