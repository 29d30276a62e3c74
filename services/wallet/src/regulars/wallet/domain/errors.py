"""What the wallet refuses, as values: a stable code, a message for people, the fields at
fault. The service layer raises these; the HTTP entrypoint turns each kind into an answer in
one place (``entrypoints/errors.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field at fault: where (``legs.0.amount``), a stable code, a message."""

    field: str
    code: str
    message: str


class DomainError(Exception):
    """A refusal the caller can act on; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str, fields: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = tuple(fields)


class NotFound(DomainError):
    """No such thing within the caller's organization."""


class Invalid(DomainError):
    """The request cannot be done as asked (unbalanced, wrong currency, bad amount…)."""


class Conflict(DomainError):
    """The request is fine but the state of things does not allow it now."""


class InsufficientFunds(Conflict):
    """The movement would take an account that must not go negative below zero."""

    def __init__(self, account_id: object) -> None:
        super().__init__("insufficient_funds", "Not enough available balance for this amount.")
        self.account_id = account_id


class IdempotencyKeyReused(Conflict):
    """The idempotency key was already used for a different request."""

    def __init__(self) -> None:
        super().__init__("idempotency_key_reused", "This Idempotency-Key was already used with a different request.")


class TooManyAttempts(DomainError):
    """Too many look-ups from this address, device or for this code; try later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too_many_attempts", "Too many attempts; please try again later.")
        self.retry_after_seconds = retry_after_seconds
