"""What the appointments service refuses, as values, on the shared kinds of
``regulars.shared.domain_errors``. The service layer raises these; the one mapping to HTTP is
``regulars.shared.http.domain_errors``."""

from __future__ import annotations

from datetime import datetime

from regulars.shared.domain_errors import Conflict, DomainError, FieldProblem, Invalid, NotFound, SignInRequired

__all__ = [
    "Conflict",
    "DomainError",
    "FieldProblem",
    "Invalid",
    "NotFound",
    "PolicyRefused",
    "SignInRequired",
    "SlotUnavailable",
]


class SlotUnavailable(Conflict):
    """Nobody who performs the service is free at that time."""

    def __init__(self, message: str = "This time is no longer free; please pick another.") -> None:
        super().__init__("slot_unavailable", message)


class PolicyRefused(Conflict):
    """The business's policy (or the booking's state) does not let a client do this now (R-S3)."""

    def __init__(self, code: str, message: str, until: datetime | None = None) -> None:
        super().__init__(code, message)
        self.until = until
