"""Identity's facts -> the emails they lead to, and a new message's first status (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from regulars.notifications.adapters.templates import render
from regulars.notifications.domain.message_types import MESSAGE_TYPES
from regulars.notifications.domain.model import ADDRESS_BOUND_TEMPLATES, Status, decide_on_queueing
from regulars.notifications.domain.notices import NOTICES, emails_for
from regulars.shared.contracts import identity
from regulars.shared.contracts.events import EVENT_REGISTRY
from regulars.shared.locale import LOCALES

ENVELOPE: dict[str, Any] = {"org_id": uuid.uuid4(), "business_id": uuid.uuid4(), "account_id": uuid.uuid4()}
FACTS: list[identity.AccountNotice] = [
    identity.VerificationRequested(
        **ENVELOPE, to_email="a@x.test", first_name="Ana", link="https://l/v", code="123456"
    ),
    identity.ExistingAccountClaimed(
        **ENVELOPE, to_email="a@x.test", first_name="Ana", sign_in_link="https://l/s", reset_link="https://l/r"
    ),
    identity.PasswordResetRequested(**ENVELOPE, to_email="a@x.test", first_name="Ana", link="https://l/r"),
    identity.SignInLinkRequested(**ENVELOPE, to_email="a@x.test", first_name="Ana", link="https://l/s", code="654321"),
    identity.PasswordChanged(**ENVELOPE, to_email="a@x.test", first_name="Ana"),
    identity.EmailChangeRequested(
        **ENVELOPE, to_email="a@x.test", first_name="Ana", new_email="b@x.test", link="https://l/c"
    ),
]


def test_every_identity_notice_is_handled() -> None:
    registered = {cls for cls in EVENT_REGISTRY.values() if issubclass(cls, identity.AccountNotice)}
    assert registered == set(NOTICES) == {type(fact) for fact in FACTS}
    assert set(MESSAGE_TYPES) >= ADDRESS_BOUND_TEMPLATES  # each names a message type


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: type(fact).__name__)
@pytest.mark.parametrize("locale", LOCALES)
def test_each_fact_fills_exactly_its_templates_in_every_language(fact: identity.AccountNotice, locale: str) -> None:
    for email in emails_for(fact):
        assert email.template in ADDRESS_BOUND_TEMPLATES  # the address identity names is final
        # Every variable of its message type comes from the fact (none left to its default).
        assert email.variables.model_fields_set == set(type(email.variables).model_fields)
        rendered = render(email.variables, locale, business_name="Salon")
        assert "Ana" in rendered.text


def test_an_email_change_sends_the_link_to_the_new_address_and_tells_the_old_one() -> None:
    verify, notice = emails_for(FACTS[-1])
    assert (verify.template, verify.to, verify.variables.model_dump()) == (
        "email_change_verify",
        "b@x.test",
        {"first_name": "Ana", "link": "https://l/c"},
    )
    assert (notice.template, notice.to, notice.variables.model_dump()) == (
        "email_change_notice", "a@x.test", {"first_name": "Ana", "new_email": "b@x.test"},
    )  # fmt: skip


NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)


def queueing(**changes: Any) -> tuple[Status, str]:
    values: dict[str, Any] = {
        "has_account": True, "recipient": "a@x.test", "recipient_fixed": False, "due": NOW, "now": NOW,
        "voided_subject": None,
    }  # fmt: skip
    values.update(changes)
    channel, category = values.pop("channel", "email"), values.pop("category", "transactional")
    return decide_on_queueing(channel, category, **values)


def test_a_new_message_is_queued_suppressed_or_dropped_at_once() -> None:
    assert queueing() == (Status.QUEUED, "")
    assert queueing(recipient=None) == (Status.SUPPRESSED, "no email address known for the recipient")
    assert queueing(channel="sms", recipient="", recipient_fixed=True)[0] is Status.SUPPRESSED
    # A scheduled message for an account waits: the address may be added before it is due.
    assert queueing(recipient=None, due=NOW + timedelta(hours=1)) == (Status.QUEUED, "")
    assert queueing(category="marketing", has_account=False) == (
        Status.SUPPRESSED,
        "no marketing consent: the recipient has no account",
    )
    assert queueing(has_account=False) == (Status.QUEUED, "")
    assert queueing(voided_subject="appointment:1") == (Status.DROPPED, "appointment:1 was cancelled")
    # No address outranks a cancelled subject, as before.
    assert queueing(recipient=None, voided_subject="appointment:1")[0] is Status.SUPPRESSED
