"""Every message type the service can send, each with its template's variables as a typed model.

A message is built from one of these models (validated then: a missing or unknown
variable, or one of the wrong type, fails where the message is made, not when it is
rendered), and its template may use only the model's fields and the layout's
``business_name`` (``tests/unit/test_templates.py`` checks every template in every
language). The model names the template (``message_type``), as kratos's typed
template models do; ``MESSAGE_TYPES`` finds the model of a stored message again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict


class TemplateVariables(BaseModel):
    """The variables of one message type's template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_type: ClassVar[str]
    # The greeting. Left out, the pipeline fills in the contact's first name; for a message
    # not bound to one address, the account's first name as it is when the message is sent.
    first_name: str = ""

    def for_template(self) -> dict[str, Any]:
        """The variables as the template sees them (dates and amounts as values, not text)."""
        return self.model_dump()

    def stored(self) -> dict[str, Any]:
        """The variables as a message keeps them to render it again (JSON)."""
        return self.model_dump(mode="json")


# --- identity's messages (domain/notices.py), each about one address -----------------


class VerifyEmailVariables(TemplateVariables):
    message_type = "verify_email"
    link: str
    code: str = ""


class AccountExistsVariables(TemplateVariables):
    message_type = "account_exists"
    sign_in_link: str
    reset_link: str


class PasswordResetVariables(TemplateVariables):
    message_type = "password_reset"
    link: str


class SignInLinkVariables(TemplateVariables):
    message_type = "sign_in_link"
    link: str
    code: str = ""


class PasswordChangedVariables(TemplateVariables):
    message_type = "password_changed"


class EmailChangeVerifyVariables(TemplateVariables):
    message_type = "email_change_verify"
    link: str


class EmailChangeNoticeVariables(TemplateVariables):
    message_type = "email_change_notice"
    new_email: str


# --- booking messages (entrypoints/appointment_messages.py) ---------------------------


class AppointmentVariables(TemplateVariables):
    service_name: str
    starts_at: AwareDatetime


class AppointmentReminderVariables(AppointmentVariables):
    message_type = "appointment_reminder"


class BookingVariables(AppointmentVariables):
    """A booking email: what was booked, with whom (``""``: not said) and where to manage it."""

    staff_name: str = ""
    link: str


class AppointmentBookedVariables(BookingVariables):
    message_type = "appointment_booked"


class AppointmentRescheduledVariables(BookingVariables):
    message_type = "appointment_rescheduled"


class AppointmentCancelledVariables(BookingVariables):
    """``link`` books again."""

    message_type = "appointment_cancelled"


# --- other messages -----------------------------------------------------------------


class ReceiptVariables(TemplateVariables):
    message_type = "receipt"
    amount: Decimal
    currency: str
    paid_at: AwareDatetime
    description: str


class MarketingMessageVariables(TemplateVariables):
    message_type = "marketing_message"
    title: str
    text: str


MESSAGE_TYPES: dict[str, type[TemplateVariables]] = {
    model.message_type: model
    for model in (
        VerifyEmailVariables,
        AccountExistsVariables,
        PasswordResetVariables,
        SignInLinkVariables,
        PasswordChangedVariables,
        EmailChangeVerifyVariables,
        EmailChangeNoticeVariables,
        AppointmentReminderVariables,
        AppointmentBookedVariables,
        AppointmentRescheduledVariables,
        AppointmentCancelledVariables,
        ReceiptVariables,
        MarketingMessageVariables,
    )
}


class UnknownMessageType(LookupError):
    pass


def stored_variables(message_type: str, stored: dict[str, Any]) -> TemplateVariables:
    """A stored message's variables as its model again; raises ``UnknownMessageType`` or pydantic's
    ``ValidationError`` (a ``ValueError``) when they no longer fit."""
    model = MESSAGE_TYPES.get(message_type)
    if model is None:
        raise UnknownMessageType(f"no message type {message_type!r}")
    return model.model_validate(stored)
