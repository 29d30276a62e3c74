"""What identity refuses, as values, on the shared kinds of ``regulars.shared.domain_errors``
(a stable code, a message for people, the fields at fault). The service layer raises these; the
one mapping to HTTP is ``regulars.shared.http.domain_errors``."""

from __future__ import annotations

from typing import Literal

from regulars.shared.domain_errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    Rejected,
    SignInRequired,
    Unavailable,
    invalid_fields,
)

__all__ = [
    "BusinessNotFound",
    "Conflict",
    "DomainError",
    "FieldProblem",
    "Forbidden",
    "Invalid",
    "InvalidCredentials",
    "LoginsDisabled",
    "NoSuch",
    "NotFound",
    "Rejected",
    "SignInRequired",
    "TokenRefused",
    "Unavailable",
    "WrongPassword",
    "invalid_fields",
]


class NoSuch(NotFound):
    """Also what another organization's client, pet or session gets: never a hint it exists (R-T4)."""

    def __init__(self, what: str = "Account") -> None:
        super().__init__("not_found", f"{what} not found.")


class BusinessNotFound(NotFound):
    """``business_not_found``, naming the slug asked for."""

    def __init__(self, slug: str) -> None:
        super().__init__("business_not_found", f"No business is called {slug!r}.")


class LoginsDisabled(NotFound):
    """The business does not offer client accounts (R-S1)."""

    def __init__(self) -> None:
        super().__init__("client_logins_disabled", "This business does not offer client accounts.")


TokenProblem = Literal["token_invalid", "token_used", "token_expired"]
TOKEN_MESSAGES: dict[TokenProblem, str] = {
    "token_invalid": "This link is not valid.",
    "token_used": "This link was already used.",
    "token_expired": "This link has expired; ask for a new one.",
}


class TokenRefused(Rejected):
    """A one-time link that cannot be used (invalid, used or expired)."""

    def __init__(self, code: TokenProblem) -> None:
        super().__init__(code, TOKEN_MESSAGES[code])


class InvalidCredentials(SignInRequired):
    """The one answer to a wrong password and to an unknown email."""

    def __init__(self) -> None:
        super().__init__("invalid_credentials", "The email or the password is wrong.")


class WrongPassword(Forbidden):
    """A signed-in client's password, asked again to confirm a change, is wrong."""

    def __init__(self) -> None:
        message = "The password is wrong."
        super().__init__("wrong_password", message, [FieldProblem("password", "wrong_password", message)])
