"""Stored cards (R-W7) on the real PostgreSQL and localstripe: added through the card form,
listed and removed per account, never visible to another account or organization."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared import clock
from regulars.shared.settings import Settings
from regulars.shared.testing import stripe_js
from regulars.wallet.adapters.stripe import StripeProvider
from regulars.wallet.adapters.tables import stored_cards
from regulars.wallet.domain.errors import CardNotFound
from regulars.wallet.service_layer import cards
from regulars.wallet.service_layer.cards import CardOwner, StoredCard

pytestmark = pytest.mark.integration


@pytest.fixture
async def provider(localstripe: Settings) -> AsyncIterator[StripeProvider]:
    made = StripeProvider.from_settings(localstripe)
    yield made
    await made.close()


async def add(
    engine: AsyncEngine, provider: StripeProvider, settings: Settings, owner: CardOwner, number: str
) -> StoredCard:
    setup = await cards.start_adding_card(engine, provider, owner, "ana@example.com", clock.now())
    status, _ = await stripe_js.confirm_card_setup(settings, setup.client_secret, number)
    assert status == 200
    return await cards.add_card(engine, provider, owner, setup.setup_id, clock.now())


async def test_r_w7_cards_are_added_listed_and_removed_per_account(
    engines: dict[str, AsyncEngine], provider: StripeProvider, localstripe: Settings
) -> None:
    engine = engines["wallet"]
    ana = CardOwner(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    visa = await add(engine, provider, localstripe, ana, stripe_js.SUCCEEDS)
    assert (visa.brand, visa.last4, visa.exp_month, visa.exp_year, visa.is_default) == ("visa", "4242", 12, 2034, True)
    other = await add(engine, provider, localstripe, ana, stripe_js.CHARGES_FAIL)
    assert not other.is_default
    assert await add(engine, provider, localstripe, ana, stripe_js.SUCCEEDS) == visa  # the same card again
    async with engine.connect() as conn:
        assert [c.card_id for c in await cards.list_cards(conn, ana)] == [visa.card_id, other.card_id]
        kept = (await conn.execute(sa.select(stored_cards).where(stored_cards.c.account_id == ana.account_id))).all()
    assert all(
        stripe_js.SUCCEEDS not in str(tuple(row)) for row in kept
    )  # token, brand, last four, expiry, fingerprint

    # Another account of the organization, and the same account id in another organization, see none of it.
    for stranger in (dataclasses.replace(ana, account_id=uuid.uuid4()), dataclasses.replace(ana, org_id=uuid.uuid4())):
        async with engine.connect() as conn:
            assert await cards.list_cards(conn, stranger) == []
            with pytest.raises(CardNotFound):
                await cards.chargeable_card(conn, provider, stranger, visa.card_id)
        with pytest.raises(CardNotFound):
            await cards.remove_card(engine, provider, stranger, visa.card_id, clock.now())

    async with engine.connect() as conn:
        token = (await cards.chargeable_card(conn, provider, ana, visa.card_id)).token
    await cards.remove_card(engine, provider, ana, visa.card_id, clock.now())
    async with engine.connect() as conn:
        assert [(c.card_id, c.is_default) for c in await cards.list_cards(conn, ana)] == [(other.card_id, True)]
    with pytest.raises(CardNotFound):
        await cards.remove_card(engine, provider, ana, visa.card_id, clock.now())
    secret = {"Authorization": f"Bearer {localstripe.stripe_secret_key}"}
    url = f"{localstripe.stripe_url()}/v1/payment_methods/{token}"
    async with aiohttp.ClientSession(headers=secret) as http, http.get(url) as response:
        assert (await response.json())["customer"] is None  # detached: the provider can no longer charge it
