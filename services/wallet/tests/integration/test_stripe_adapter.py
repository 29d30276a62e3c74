"""The Stripe adapter against the real localstripe: saving a card through the card form, holding,
capturing for less, voiding and refunding, and each refusal as the wallet's domain error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from regulars.shared.settings import Settings
from regulars.shared.testing import stripe_js
from regulars.shared.testing.infra import free_port
from regulars.wallet.adapters.stripe import StripeProvider
from regulars.wallet.domain.errors import AuthenticationRequired, CardDeclined, PaymentProviderUnavailable
from regulars.wallet.service_layer.payment_provider import Authorization, CardDetails, PaymentState

pytestmark = pytest.mark.integration


@pytest.fixture
async def provider(localstripe: Settings) -> AsyncIterator[StripeProvider]:
    made = StripeProvider.from_settings(localstripe)
    yield made
    await made.close()


async def saved(provider: StripeProvider, settings: Settings, number: str) -> tuple[str, CardDetails]:
    customer = await provider.create_customer(email="ana@example.com", reference=str(uuid.uuid4()))
    setup = await provider.start_card_setup(customer)
    status, _ = await stripe_js.confirm_card_setup(settings, setup.client_secret, number)
    assert status == 200
    return customer, await provider.finish_card_setup(customer, setup.setup_id)


def hold(customer: str, card: CardDetails, amount: int, *, off_session: bool = True) -> Authorization:
    return Authorization(customer, card.token, amount, "EUR", uuid.uuid4().hex, off_session, {"booking": "b-1"})


async def test_saved_card_is_held_captured_for_less_refunded_or_voided(
    provider: StripeProvider, localstripe: Settings
) -> None:
    customer, card = await saved(provider, localstripe, stripe_js.SUCCEEDS)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2034)
    assert card.token.startswith("pm_")
    assert card.fingerprint

    held = await provider.authorize(hold(customer, card, 1000))
    assert (held.state, held.amount, held.captured, held.currency) == (PaymentState.AUTHORIZED, 1000, 0, "EUR")
    captured = await provider.capture(held.payment_id, 800, idempotency_key=uuid.uuid4().hex)
    assert (captured.state, captured.captured) == (PaymentState.CAPTURED, 800)
    refund = await provider.refund(held.payment_id, 300, idempotency_key=uuid.uuid4().hex)
    assert (refund.payment_id, refund.amount) == (held.payment_id, 300)

    other = await provider.authorize(hold(customer, card, 500))
    voided = await provider.void(other.payment_id, idempotency_key=uuid.uuid4().hex)
    assert (voided.state, voided.captured) == (PaymentState.VOIDED, 0)


async def test_declined_card_is_not_saved(provider: StripeProvider, localstripe: Settings) -> None:
    customer = await provider.create_customer(email=None, reference=str(uuid.uuid4()))
    setup = await provider.start_card_setup(customer)
    status, answer = await stripe_js.confirm_card_setup(localstripe, setup.client_secret, stripe_js.DECLINED)
    assert (status, answer["error"]["code"]) == (402, "card_declined")  # what the card form shows
    with pytest.raises(CardDeclined) as refused:
        await provider.finish_card_setup(customer, setup.setup_id)
    assert refused.value.code == "card_declined"


async def test_card_that_saves_but_is_declined_when_charged(provider: StripeProvider, localstripe: Settings) -> None:
    customer, card = await saved(provider, localstripe, stripe_js.CHARGES_FAIL)
    with pytest.raises(CardDeclined):
        await provider.authorize(hold(customer, card, 1000))


async def test_off_session_charge_that_needs_authentication_is_refused(
    provider: StripeProvider, localstripe: Settings
) -> None:
    customer, card = await saved(provider, localstripe, stripe_js.ALWAYS_AUTHENTICATE)
    with pytest.raises(AuthenticationRequired):
        await provider.authorize(hold(customer, card, 1000))
    on_session = await provider.authorize(hold(customer, card, 1000, off_session=False))
    assert on_session.state is PaymentState.REQUIRES_ACTION
    assert on_session.client_secret


async def test_provider_out_of_reach_is_unavailable(localstripe: Settings) -> None:
    away = StripeProvider.from_settings(localstripe.model_copy(update={"localstripe_port": free_port()}))
    try:
        with pytest.raises(PaymentProviderUnavailable):
            await away.create_customer(email=None, reference="r")
    finally:
        await away.close()
