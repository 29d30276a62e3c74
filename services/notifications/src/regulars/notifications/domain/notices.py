"""Which emails identity's facts lead to: the template, the address, the variables (pure).

Identity says what happened (``regulars.shared.contracts.identity.AccountNotice`` and its
kinds); the notifications service decides what to send. Each fact's fields are the typed
variables of its template. Every one of them is bound to the address it names
(``ADDRESS_BOUND_TEMPLATES``) and is a security message, always sent (R-N3).
"""

from __future__ import annotations

from dataclasses import dataclass

from regulars.notifications.domain.model import Category
from regulars.shared.contracts.identity import (
    AccountNotice,
    EmailChangeRequested,
    ExistingAccountClaimed,
    PasswordChanged,
    PasswordResetRequested,
    SignInLinkRequested,
    VerificationRequested,
)

TEMPLATE_OF: dict[type[AccountNotice], str] = {
    VerificationRequested: "verify_email",
    ExistingAccountClaimed: "account_exists",
    PasswordResetRequested: "password_reset",
    SignInLinkRequested: "sign_in_link",
    PasswordChanged: "password_changed",
}
# Every kind of fact, for the consumer to subscribe to.
NOTICES: tuple[type[AccountNotice], ...] = (*TEMPLATE_OF, EmailChangeRequested)
# The fields every fact has that address it rather than fill its template.
_ADDRESSING = frozenset(AccountNotice.model_fields) - {"first_name"}


@dataclass(frozen=True)
class NoticeEmail:
    template: str
    to: str
    variables: dict[str, str]
    category: Category = "security"  # always sent (R-N3)


def emails_for(fact: AccountNotice) -> list[NoticeEmail]:
    """The emails one identity fact leads to, in the order they are queued."""
    if isinstance(fact, EmailChangeRequested):
        # The link goes to the new address only; the current one is told where the account moves.
        return [
            NoticeEmail("email_change_verify", fact.new_email, {"first_name": fact.first_name, "link": fact.link}),
            NoticeEmail(
                "email_change_notice", fact.to_email, {"first_name": fact.first_name, "new_email": fact.new_email}
            ),
        ]
    variables = fact.model_dump(mode="json", exclude=set(_ADDRESSING))
    return [NoticeEmail(TEMPLATE_OF[type(fact)], fact.to_email, variables)]
