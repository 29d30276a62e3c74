"""What the appointments service refuses, as values: a stable code, a message for people,
the fields at fault. The service layer raises these; the HTTP entrypoint turns each kind
into an answer in one place (``entrypoints/errors.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FieldProblem:
    """One field at fault: where (``intake_answers.allergies``), a stable code, a message."""

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
    """No such thing within the caller's business or account (or a link that is not valid)."""


class Invalid(DomainError):
    """The request names something this business cannot do (a time in the past, a wrong answer…)."""


class Conflict(DomainError):
    """The request is fine but the state of things does not allow it now."""


class SlotUnavailable(Conflict):
    """Nobody who performs the service is free at that time."""

    def __init__(self, message: str = "This time is no longer free; please pick another.") -> None:
        super().__init__("slot_unavailable", message)


class PolicyRefused(Conflict):
    """The business's policy (or the booking's state) does not let a client do this now (R-S3)."""

    def __init__(self, code: str, message: str, until: datetime | None = None) -> None:
        super().__init__(code, message)
        self.until = until


class SignInRequired(DomainError):
    """Only a signed-in client may do this."""
