"""What notifications refuses, as values, on the shared kinds of ``regulars.shared.domain_errors``
(a stable code, a message for people). The service layer and the adapters raise these; the one
mapping to HTTP is ``regulars.shared.http.domain_errors``."""

from __future__ import annotations

from regulars.shared.domain_errors import Forbidden, NotFound, Rejected, SignInRequired


class InvalidToken(Rejected):
    """An unsubscribe token that is malformed, forged or for another purpose (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__("invalid_token", "This unsubscribe link is not valid.")
        self.reason = reason


class TokenNotForThisBusiness(Rejected):
    """The unsubscribe token names another business (or one that no longer exists)."""

    def __init__(self) -> None:
        super().__init__("invalid_token", "This unsubscribe link is not valid for this business.")


class BusinessNotFound(NotFound):
    """Not the caller's business, or one not projected here."""

    def __init__(self) -> None:
        super().__init__("business_not_found", "No such business.")


class AccountNotFound(NotFound):
    """The client's account is known to be another business's (R-T4)."""

    def __init__(self) -> None:
        super().__init__("account_not_found", "No such account at this business.")


class UnknownRecipient(NotFound):
    """The account named is no client of this business (R-T4)."""

    def __init__(self) -> None:
        super().__init__("account_not_found", "No such client account at this business.")


class NotSignedIn(SignInRequired):
    """Preferences are a signed-in client's own."""

    def __init__(self) -> None:
        super().__init__("not_signed_in", "Sign in to manage your notifications.")


class InvalidWebhook(Forbidden):
    """An SMS provider's webhook whose signature does not match, or whose body is malformed (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__("invalid_signature", "The webhook's signature does not match.")
        self.reason = reason
