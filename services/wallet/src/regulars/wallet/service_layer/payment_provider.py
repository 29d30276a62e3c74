"""The payment-provider port: what the wallet asks of whoever holds the cards and moves the money.

Card numbers never reach us: the provider's own card form (Stripe.js, or localstripe's fake one)
sends the number to the provider while confirming a *card setup* we started, and we keep only
what ``CardDetails`` holds. Every payment is authorised first and captured later (perhaps for
less), or voided; a refund returns part or all of what was captured. Idempotency keys are passed
on, but the wallet's own idempotency must not rely on them (localstripe ignores them).

The adapter is Stripe (``adapters/stripe.py``). Its refusals are the wallet's domain errors:
``CardDeclined``, ``AuthenticationRequired``, ``CardSetupIncomplete``, ``PaymentRejected``,
``PaymentProviderUnavailable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class CardSetup:
    """A card being saved: the browser's card form confirms it with ``client_secret``."""

    setup_id: str
    client_secret: str


@dataclass(frozen=True)
class CardDetails:
    """All we keep of a card: the provider's token for it, and what a person recognises it by."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str


class PaymentState(StrEnum):
    """Where a payment stands at the provider."""

    REQUIRES_ACTION = "requires_action"  # the client must authenticate (Stripe.js, with client_secret)
    AUTHORIZED = "authorized"  # held on the card, to capture or void
    CAPTURED = "captured"
    VOIDED = "voided"


@dataclass(frozen=True)
class Authorization:
    """What to hold on a saved card. ``off_session``: the client is not there to authenticate."""

    customer: str
    card_token: str
    amount: int
    currency: str
    idempotency_key: str
    off_session: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)  # our references (booking, account)


@dataclass(frozen=True)
class Payment:
    """A payment as the provider has it: authorised ``amount``, ``captured`` of it so far."""

    payment_id: str
    state: PaymentState
    amount: int
    captured: int
    currency: str
    client_secret: str | None = None  # for the browser, while the client must authenticate


@dataclass(frozen=True)
class Refund:
    """Money given back from a payment."""

    refund_id: str
    payment_id: str
    amount: int


class PaymentProvider(Protocol):
    """Whoever holds the cards and moves the money (``name``: which one, as stored with a card)."""

    name: str

    async def create_customer(self, *, email: str | None, reference: str) -> str:
        """A new customer at the provider (``reference``: ours, for people reading its dashboard); its id."""
        ...

    async def start_card_setup(self, customer: str) -> CardSetup:
        """Start saving a card for later charges, with or without the client present."""
        ...

    async def finish_card_setup(self, customer: str, setup_id: str) -> CardDetails:
        """The card the browser's card form saved for ``customer``; refused unless it was saved."""
        ...

    async def remove_card(self, token: str) -> None:
        """Detach the card from its customer: it can no longer be charged."""
        ...

    async def authorize(self, request: Authorization) -> Payment:
        """Hold ``amount`` on the saved card, to capture or void later."""
        ...

    async def capture(self, payment_id: str, amount: int, *, idempotency_key: str) -> Payment:
        """Take ``amount`` (at most what was authorised) of a held payment; the rest is released."""
        ...

    async def void(self, payment_id: str, *, idempotency_key: str) -> Payment:
        """Release a held payment without taking anything."""
        ...

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Refund:
        """Give back ``amount`` of what a payment captured."""
        ...

    async def close(self) -> None: ...
