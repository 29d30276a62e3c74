"""The payment provider is Stripe, through the ``stripe`` SDK (its asynchronous calls over aiohttp).

Development and tests point the SDK's API base at localstripe (``REGULARS_STRIPE_API_BASE``,
by default localstripe on ``REGULARS_LOCALSTRIPE_PORT``); production changes only that URL and
the keys. What localstripe does differently from Stripe, and how this adapter copes, is listed
in ``services/wallet/README.md`` ("Payments"); each such place below says so.

Nothing from a provider's error is logged but its kind, code and status: never a message that
could quote what was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import stripe
import structlog

from regulars.shared.settings import Settings
from regulars.wallet.domain.errors import (
    AuthenticationRequired,
    CardDeclined,
    CardSetupIncomplete,
    PaymentProviderUnavailable,
    PaymentRejected,
)
from regulars.wallet.service_layer.payment_provider import (
    Authorization,
    CardDetails,
    CardSetup,
    Payment,
    PaymentState,
    Refund,
)

log = structlog.get_logger(__name__)

_STATES = {
    "requires_action": PaymentState.REQUIRES_ACTION,
    "requires_capture": PaymentState.AUTHORIZED,
    "succeeded": PaymentState.CAPTURED,
    "canceled": PaymentState.VOIDED,
}
_UNAVAILABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError, stripe.AuthenticationError)


@contextmanager
def _refusals() -> Iterator[None]:
    """The provider's errors as the wallet's refusals."""
    try:
        yield
    except stripe.CardError as exc:
        if exc.code == "authentication_required":
            raise AuthenticationRequired() from exc
        raise CardDeclined(getattr(exc.error, "decline_code", None) or exc.code) from exc
    except _UNAVAILABLE as exc:
        log.warning("payment_provider_unavailable", error=type(exc).__name__, status=exc.http_status)
        raise PaymentProviderUnavailable() from exc
    except stripe.StripeError as exc:
        log.warning("payment_provider_rejected", error=type(exc).__name__, code=exc.code, status=exc.http_status)
        raise PaymentRejected() from exc


def _id(field: Any) -> str:
    """An expandable field's id: Stripe answers the id, localstripe sometimes the whole object."""
    return field if isinstance(field, str) else str(field.id)


class StripeProvider:
    name = "stripe"

    def __init__(self, api_base: str, secret_key: str, timeout: float) -> None:
        self._http = stripe.AIOHTTPClient(timeout=timeout)
        self._stripe = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base}, http_client=self._http, max_network_retries=2
        ).v1

    @classmethod
    def from_settings(cls, settings: Settings) -> StripeProvider:
        return cls(settings.stripe_url(), settings.stripe_secret_key, settings.stripe_timeout_seconds)

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]  # the SDK leaves it untyped

    async def create_customer(self, *, email: str | None, reference: str) -> str:
        params: dict[str, Any] = {"metadata": {"regulars": reference}}
        if email:
            params["email"] = email
        with _refusals():
            customer = await self._stripe.customers.create_async(params=params)  # type: ignore[arg-type]
        return str(customer.id)

    async def start_card_setup(self, customer: str) -> CardSetup:
        params: Any = {"customer": customer, "usage": "off_session", "payment_method_types": ["card"]}
        with _refusals():
            setup = await self._stripe.setup_intents.create_async(params=params)
        assert setup.client_secret is not None
        return CardSetup(setup_id=setup.id, client_secret=setup.client_secret)

    async def finish_card_setup(self, customer: str, setup_id: str) -> CardDetails:
        with _refusals():
            setup = await self._stripe.setup_intents.retrieve_async(setup_id)
        if setup.customer is None or _id(setup.customer) != customer:
            raise CardSetupIncomplete()
        if setup.status != "succeeded" or setup.payment_method is None:
            error = getattr(setup, "last_setup_error", None)  # localstripe leaves it out
            if error is not None and error.code in ("card_declined", "expired_card", "incorrect_cvc"):
                raise CardDeclined(error.decline_code or error.code)
            if setup.status == "canceled":  # localstripe cancels the setup of a declined card
                raise CardDeclined()
            raise CardSetupIncomplete()
        with _refusals():
            method = await self._stripe.payment_methods.retrieve_async(_id(setup.payment_method))
            if method.customer is None:  # localstripe does not attach the card it saved; Stripe does
                method = await self._stripe.payment_methods.attach_async(method.id, params={"customer": customer})
        card = method.card
        if card is None:
            raise CardSetupIncomplete()
        return CardDetails(
            token=method.id,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            fingerprint=card.fingerprint or "",
        )

    async def remove_card(self, token: str) -> None:
        with _refusals():
            await self._stripe.payment_methods.detach_async(token)

    async def authorize(self, request: Authorization) -> Payment:
        params: Any = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "customer": request.customer,
            "payment_method": request.card_token,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "off_session": request.off_session,
            "metadata": dict(request.metadata),
        }
        with _refusals():
            intent = await self._stripe.payment_intents.create_async(
                params=params, options={"idempotency_key": request.idempotency_key}
            )
        if request.off_session and intent.status == "requires_action":
            # Stripe refuses such a charge with authentication_required; localstripe leaves it waiting.
            await self.void(intent.id, idempotency_key=f"{request.idempotency_key}:void")
            raise AuthenticationRequired()
        return self._payment(intent)

    async def capture(self, payment_id: str, amount: int, *, idempotency_key: str) -> Payment:
        with _refusals():
            intent = await self._stripe.payment_intents.capture_async(
                payment_id, params={"amount_to_capture": amount}, options={"idempotency_key": idempotency_key}
            )
        return self._payment(intent, captured=amount)

    async def void(self, payment_id: str, *, idempotency_key: str) -> Payment:
        with _refusals():
            intent = await self._stripe.payment_intents.cancel_async(
                payment_id, options={"idempotency_key": idempotency_key}
            )
        return self._payment(intent)

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Refund:
        params: Any = {"payment_intent": payment_id, "amount": amount}
        with _refusals():
            refund = await self._stripe.refunds.create_async(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return Refund(refund_id=refund.id, payment_id=payment_id, amount=refund.amount)

    @staticmethod
    def _payment(intent: stripe.PaymentIntent, captured: int = 0) -> Payment:
        state = _STATES.get(intent.status)
        if state is None:
            error = getattr(intent, "last_payment_error", None)
            if error is not None:
                raise CardDeclined(error.decline_code or error.code)
            raise PaymentRejected()
        received = getattr(intent, "amount_received", None)  # localstripe does not say: what we captured
        return Payment(
            payment_id=intent.id,
            state=state,
            amount=intent.amount,
            captured=int(received) if received is not None else captured,
            currency=intent.currency.upper(),
            client_secret=intent.client_secret if state is PaymentState.REQUIRES_ACTION else None,
        )
