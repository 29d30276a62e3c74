"""What the wallet refuses, as values, on the shared kinds of ``regulars.shared.domain_errors``
(a stable code, a message for people, the fields at fault). The service layer raises these; the
one mapping to HTTP is ``regulars.shared.http.domain_errors``."""

from __future__ import annotations

from regulars.shared.domain_errors import Conflict, DomainError, FieldProblem, Invalid, NotFound, TooManyRequests

__all__ = [
    "Conflict",
    "DomainError",
    "FieldProblem",
    "IdempotencyKeyReused",
    "InsufficientFunds",
    "Invalid",
    "NotFound",
    "TooManyAttempts",
]


class InsufficientFunds(Conflict):
    """The movement would take an account that must not go negative below zero."""

    def __init__(self, account_id: object) -> None:
        super().__init__("insufficient_funds", "Not enough available balance for this amount.")
        self.account_id = account_id


class IdempotencyKeyReused(Conflict):
    """The idempotency key was already used for a different request."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused", "This Idempotency-Key was already used with a different request.")


class TooManyAttempts(TooManyRequests):
    """Too many look-ups from this address, device or for this code; try later."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too_many_attempts", "Too many attempts; please try again later.", retry_after)
