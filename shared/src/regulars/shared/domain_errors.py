"""What a service refuses, as values: a stable code, a message for people, the fields at fault.

Every service's ``domain/errors.py`` builds its own refusals on these kinds; its service layer
raises them and knows nothing of HTTP. ``regulars.shared.http.domain_errors`` alone gives each
kind its status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field at fault: where (``intake_answers.allergies``, ``legs.0.amount``), a stable code, a message."""

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


class Rejected(DomainError):
    """Turned away as sent: a link or code that is not (or no longer) good, a missing key; ask anew."""


class SignInRequired(DomainError):
    """Only a signed-in client may do this, or the sign-in itself failed (a wrong email or password)."""


class Forbidden(DomainError):
    """The caller may not do this (yet): a wrong password to confirm, an address not verified."""


class NotFound(DomainError):
    """No such thing within the caller's business, organization or account (or a link that is not valid)."""


class Invalid(DomainError):
    """The request cannot be done as asked (a time in the past, an unbalanced movement, a wrong answer…)."""


def invalid_fields(names: Iterable[str], code: str, message: str) -> Invalid:
    """``validation_error``: the same problem (``code``, ``message``) with each field of ``names``."""
    fields = [FieldProblem(name, code, message) for name in names]
    return Invalid("validation_error", "Some fields are not valid.", fields)


class Conflict(DomainError):
    """The request is fine but the state of things does not allow it now."""


class PaymentRefused(DomainError):
    """The payment provider or the card's bank said no (declined, needs the client to authenticate)."""


class TooManyRequests(DomainError):
    """Too many attempts lately; ``retry_after``: the whole seconds until one is let through again."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Not now (too busy, or a part it needs is away); the same request may work in a moment."""
