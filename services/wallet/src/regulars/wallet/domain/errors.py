"""What the wallet refuses, as values, on the shared kinds of ``regulars.shared.domain_errors``
(a stable code, a message for people, the fields at fault). The service layer raises these; the
one mapping to HTTP is ``regulars.shared.http.domain_errors``."""

from __future__ import annotations

from regulars.shared.domain_errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Invalid,
    NotFound,
    PaymentRefused,
    TooManyRequests,
    Unavailable,
)

__all__ = [
    "AuthenticationRequired",
    "CardDeclined",
    "CardNotFound",
    "CardSetupIncomplete",
    "Conflict",
    "DomainError",
    "FieldProblem",
    "InsufficientFunds",
    "Invalid",
    "NotFound",
    "PaymentProviderUnavailable",
    "PaymentRejected",
    "TooManyAttempts",
]


class InsufficientFunds(Conflict):
    """The movement would take an account that must not go negative below zero."""

    def __init__(self, account_id: object) -> None:
        super().__init__("insufficient_funds", "Not enough available balance for this amount.")
        self.account_id = account_id


class TooManyAttempts(TooManyRequests):
    """Too many look-ups from this address, device or for this code; try later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too_many_attempts", "Too many attempts; please try again later.", retry_after)


class CardDeclined(PaymentRefused):
    """The card's bank refused to save or charge it; ``reason`` is the provider's decline code if it gave one."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__("card_declined", "Your card was declined. Try another card.")
        self.reason = reason


class AuthenticationRequired(PaymentRefused):
    """The bank wants the client to confirm this payment (3-D Secure): it cannot be charged without them."""

    def __init__(self) -> None:
        super().__init__("authentication_required", "Your bank asks you to confirm this payment; please pay in person.")


class CardNotFound(NotFound):
    """No such stored card on the caller's account (or it was removed)."""

    def __init__(self) -> None:
        super().__init__("card_not_found", "Card not found.")


class CardSetupIncomplete(Conflict):
    """The card form has not finished (or failed) saving this card with the provider."""

    def __init__(self) -> None:
        super().__init__("card_setup_incomplete", "The card was not saved; please enter it again.")


class PaymentRejected(Invalid):
    """The provider refused the request itself (not the card): an amount it cannot take, an unknown payment."""

    def __init__(self) -> None:
        super().__init__("payment_rejected", "The payment provider could not do this.")


class PaymentProviderUnavailable(Unavailable):
    """The payment provider did not answer, or answered that it is in trouble; nothing was charged by us."""

    def __init__(self) -> None:
        super().__init__("payment_provider_unavailable", "Payments are not available right now; try again shortly.")
