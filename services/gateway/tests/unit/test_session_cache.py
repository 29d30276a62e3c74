"""The gateway's cache of resolved sessions: what it keeps, forgets, and when it trusts nothing."""

from __future__ import annotations

import asyncio
import uuid

from regulars.gateway.sessions import SessionCache, resolve
from regulars.shared.contracts.identity import (
    BusinessSettings,
    BusinessSnapshot,
    BusinessUpdated,
    ClientDeleted,
    ResolvedSession,
    SessionRevoked,
)

ORG, BUSINESS = uuid.uuid4(), uuid.uuid4()


BUSINESS_SNAPSHOT = BusinessSnapshot(
    business_id=BUSINESS,
    org_id=ORG,
    org_name="Org",
    client_database="global",
    slug="salon",
    name="Salon",
    vertical="salon",
    timezone="Europe/Madrid",
    currency="EUR",
    default_locale="en",
    settings=BusinessSettings(),
    version=1,
)


def resolved() -> ResolvedSession:
    return ResolvedSession(account_id=uuid.uuid4(), session_id=uuid.uuid4(), business=BUSINESS_SNAPSHOT)


def revoked(session: ResolvedSession) -> SessionRevoked:
    return SessionRevoked(org_id=ORG, account_id=session.account_id, session_id=session.session_id, reason="logout")


def live_cache(ttl: float = 60) -> SessionCache:
    cache = SessionCache(ttl_seconds=ttl)
    cache.set_live(True)
    return cache


async def answer(session: ResolvedSession, asked: list[int]) -> ResolvedSession:
    asked.append(1)
    return session


async def test_a_kept_session_is_answered_without_asking_and_the_token_is_not_kept() -> None:
    cache, session, asked = live_cache(), resolved(), list[int]()
    for _ in range(3):
        assert await resolve(cache, "salon", "rgs_secret", lambda: answer(session, asked)) == session
    assert len(asked) == 1
    assert all("rgs_secret" not in part for key in cache._entries for part in key)


async def test_nothing_is_kept_or_answered_while_the_cache_is_not_trusted() -> None:
    cache, session, asked = SessionCache(ttl_seconds=60), resolved(), list[int]()
    for _ in range(2):
        await resolve(cache, "salon", "t", lambda: answer(session, asked))
    assert len(asked) == 2
    cache = live_cache()
    await resolve(cache, "salon", "t", lambda: answer(session, asked))
    cache.set_live(False)
    cache.set_live(True)  # back: what was kept before the outage is gone
    assert cache.get(cache.key("salon", "t")) is None


async def test_each_identity_event_forgets_what_it_makes_untrue() -> None:
    cache = live_cache()
    mine, other = resolved(), resolved()
    for token, session in (("a", mine), ("b", other)):
        cache.put(cache.key("salon", token), session, cache.epoch)
    cache.apply(revoked(mine))
    assert cache.get(cache.key("salon", "a")) is None
    assert cache.get(cache.key("salon", "b")) == other
    cache.apply(ClientDeleted(org_id=ORG, account_id=other.account_id))
    assert cache.get(cache.key("salon", "b")) is None
    cache.put(cache.key("salon", "c"), resolved(), cache.epoch)
    cache.apply(BusinessUpdated(org_id=ORG, business=mine.business))
    assert cache.get(cache.key("salon", "c")) is None


async def test_a_resolution_that_raced_a_revocation_is_not_kept() -> None:
    cache, session = live_cache(), resolved()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow() -> ResolvedSession:
        started.set()
        await release.wait()
        return session

    pending = asyncio.create_task(resolve(cache, "salon", "t", slow))
    await started.wait()
    cache.apply(revoked(session))
    release.set()
    await pending
    assert cache.get(cache.key("salon", "t")) is None


async def test_an_entry_expires_and_a_zero_ttl_keeps_nothing() -> None:
    cache, session = live_cache(ttl=0.01), resolved()
    cache.put(cache.key("salon", "t"), session, cache.epoch)
    await asyncio.sleep(0.02)
    assert cache.get(cache.key("salon", "t")) is None
    off = live_cache(ttl=0)
    off.put(off.key("salon", "t"), session, off.epoch)
    assert off.get(off.key("salon", "t")) is None
