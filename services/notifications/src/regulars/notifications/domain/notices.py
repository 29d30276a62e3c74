"""Which emails identity's facts lead to: the address and the typed variables of each (pure).

Identity says what happened (``regulars.shared.contracts.identity.AccountNotice`` and its
kinds); the notifications service decides what to send. Each fact's own fields are exactly
the variables of its message type (``domain.message_types``; validated here, so a fact
and its template cannot drift apart). Every one of them is bound to the address it names
(``ADDRESS_BOUND_TEMPLATES``) and is a security message, always sent (R-N3).
"""

from __future__ import annotations

from dataclasses import dataclass

from regulars.notifications.domain.message_types import (
    AccountExistsVariables,
    EmailChangeNoticeVariables,
    EmailChangeVerifyVariables,
    PasswordChangedVariables,
    PasswordResetVariables,
    SignInLinkVariables,
    TemplateVariables,
    VerifyEmailVariables,
)
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

MESSAGE_OF: dict[type[AccountNotice], type[TemplateVariables]] = {
    VerificationRequested: VerifyEmailVariables,
    ExistingAccountClaimed: AccountExistsVariables,
    PasswordResetRequested: PasswordResetVariables,
    SignInLinkRequested: SignInLinkVariables,
    PasswordChanged: PasswordChangedVariables,
}
# Every kind of fact, for the consumer to subscribe to.
NOTICES: tuple[type[AccountNotice], ...] = (*MESSAGE_OF, EmailChangeRequested)
# The fields every fact has that address it rather than fill its template.
_ADDRESSING = frozenset(AccountNotice.model_fields) - {"first_name"}


@dataclass(frozen=True)
class NoticeEmail:
    to: str
    variables: TemplateVariables
    category: Category = "security"  # always sent (R-N3)

    @property
    def template(self) -> str:
        return self.variables.message_type


def emails_for(fact: AccountNotice) -> list[NoticeEmail]:
    """The emails one identity fact leads to, in the order they are queued."""
    if isinstance(fact, EmailChangeRequested):
        # The link goes to the new address only; the current one is told where the account moves.
        return [
            NoticeEmail(fact.new_email, EmailChangeVerifyVariables(first_name=fact.first_name, link=fact.link)),
            NoticeEmail(
                fact.to_email, EmailChangeNoticeVariables(first_name=fact.first_name, new_email=fact.new_email)
            ),
        ]
    variables = MESSAGE_OF[type(fact)].model_validate(fact.model_dump(exclude=set(_ADDRESSING)))
    return [NoticeEmail(fact.to_email, variables)]
