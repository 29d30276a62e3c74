"""Channels, categories, preferences and the rules that decide whether a message goes out.

Pure: no I/O. The enqueue step asks ``decide_on_queueing``, so a message that would never
go out is recorded as such at once; the courier asks ``decide_on_sending`` when it claims a
message (both build on ``decide``, the preferences rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from regulars.shared.locale import Locale, negotiate_locale

Channel = Literal["email", "sms"]
# ``security`` (verification, password reset, security notices) and ``receipt`` are
# always sent (R-N3); ``transactional`` and ``marketing`` obey the preferences (R-N1).
Category = Literal["security", "receipt", "transactional", "marketing"]
PreferenceCategory = Literal["transactional", "marketing"]

CHANNELS: tuple[Channel, ...] = ("email", "sms")
CATEGORIES: tuple[Category, ...] = ("security", "receipt", "transactional", "marketing")
PREFERENCE_CATEGORIES: tuple[PreferenceCategory, ...] = ("transactional", "marketing")
ALWAYS_SENT: frozenset[str] = frozenset({"security", "receipt"})

# Messages about one address at one moment: identity names the address and it is kept
# as given, even if the account's address changes before the message goes out
# (``email_change_verify`` to the NEW address, ``email_change_notice`` to the OLD one,
# a reset link to the address it was asked for...). Every other message tied to an
# account is addressed to the account's contact as it is when the message is sent.
ADDRESS_BOUND_TEMPLATES: frozenset[str] = frozenset(
    {
        "verify_email",
        "account_exists",
        "password_reset",
        "sign_in_link",
        "password_changed",
        "email_change_verify",
        "email_change_notice",
    }
)


def recipient_is_fixed(template: str, account_id: object | None) -> bool:
    """Whether the address chosen at queue time is final (else the courier looks it up when sending)."""
    return account_id is None or template in ADDRESS_BOUND_TEMPLATES


def message_locale(
    *, recipient_fixed: bool, requested: str | None, account: str | None, business: str | None
) -> Locale:
    """The language of a message. One for an account (not bound to one address) speaks the account's
    language as it is when the message is sent; a guest's, or one bound to one address, the language
    it was asked in (the widget's); else the business's default."""
    if recipient_fixed:
        return negotiate_locale(requested, account, business)
    return negotiate_locale(account, requested, business)


def greeting_name(*, recipient_fixed: bool, account: str | None, given: str) -> str:
    """The first name a message greets: the account's current one for a message for an account."""
    return account if not recipient_fixed and account else given


class Status(StrEnum):
    QUEUED = "queued"  # waiting for its due time or the next courier pass
    SENDING = "sending"  # claimed by one courier (lease until ``lease_until``)
    SENT = "sent"
    FAILED = "failed"  # an attempt failed; retried at ``next_attempt_at``
    ABANDONED = "abandoned"  # permanent failure or too many attempts
    SUPPRESSED = "suppressed"  # the recipient's preferences say no
    DROPPED = "dropped"  # what it was about was cancelled


TERMINAL = frozenset({Status.SENT, Status.ABANDONED, Status.SUPPRESSED, Status.DROPPED})
CLAIMABLE = (Status.QUEUED, Status.FAILED)


@dataclass(frozen=True)
class Preferences:
    """The matrix channel x category for one account at one business."""

    email_transactional: bool = True
    email_marketing: bool = False
    sms_transactional: bool = True
    sms_marketing: bool = False

    def allows(self, channel: Channel, category: PreferenceCategory) -> bool:
        return bool(getattr(self, f"{channel}_{category}"))

    def with_value(self, channel: Channel, category: PreferenceCategory, enabled: bool) -> Preferences:
        values = {f"{c}_{k}": self.allows(c, k) for c in CHANNELS for k in PREFERENCE_CATEGORIES}
        values[f"{channel}_{category}"] = enabled
        return Preferences(**values)

    @classmethod
    def defaults(cls, marketing_consent: bool = False) -> Preferences:
        """Transactional on; marketing only with consent."""
        return cls(
            email_transactional=True,
            email_marketing=marketing_consent,
            sms_transactional=True,
            sms_marketing=marketing_consent,
        )


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str


def decide(channel: Channel, category: Category, preferences: Preferences | None) -> Decision:
    """Whether a message of ``category`` may go out on ``channel`` (R-N1, R-N3).

    ``preferences`` is None when the recipient has no account here (a guest): then
    transactional mail goes out, marketing never does (no consent was given).
    """
    if category == "security" or category == "receipt":  # ALWAYS_SENT, spelled out for the type checker
        return Decision(True, f"{category} messages are always sent")
    if preferences is None:
        if category == "marketing":
            return Decision(False, "no marketing consent: the recipient has no account")
        return Decision(True, "transactional message to a recipient without preferences")
    if preferences.allows(channel, category):
        return Decision(True, f"{channel} {category} is on")
    return Decision(False, f"{channel} {category} is off in the recipient's preferences")


def decide_on_queueing(
    channel: Channel,
    category: Category,
    *,
    has_account: bool,
    recipient: str | None,
    recipient_fixed: bool,
    due: datetime,
    now: datetime,
    voided_subject: str | None,
) -> tuple[Status, str]:
    """A new message's first status: queued for the courier (which asks ``decide`` again, with
    the preferences, at send time), or suppressed or dropped at once, with the reason."""
    # A scheduled message for an account waits: the client may add the address before it is due.
    if not recipient and (recipient_fixed or due <= now):
        return Status.SUPPRESSED, f"no {channel} address known for the recipient"
    if not has_account and not (guest := decide(channel, category, None)).send:
        return Status.SUPPRESSED, guest.reason
    if voided_subject is not None:
        return Status.DROPPED, f"{voided_subject} was cancelled"
    return Status.QUEUED, ""


def preferences_apply(category: Category) -> bool:
    """Whether the recipient's preferences can stop a message of ``category`` (R-N1, R-N3)."""
    return category not in ALWAYS_SENT


def decide_on_sending(
    channel: Channel,
    category: Category,
    *,
    voided_subject: str | None,
    preferences: Preferences | None,
    recipient: str | None,
) -> tuple[Status, str] | None:
    """At send time: None when a claimed message goes out to ``recipient``, else the status it
    ends in and why. ``preferences`` are the account's at the business (None: none to ask, a
    guest's message was decided when queued); ``recipient`` is where it would go now."""
    if voided_subject is not None:
        return Status.DROPPED, f"{voided_subject} was cancelled"
    if preferences is not None and not (decision := decide(channel, category, preferences)).send:
        return Status.SUPPRESSED, f"at send time: {decision.reason}"
    if not recipient:
        return Status.SUPPRESSED, f"at send time: no {channel} address known for the account"
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff between attempts, abandoned after ``max_attempts``."""

    max_attempts: int = 6
    base_seconds: float = 5.0
    max_seconds: float = 3600.0

    def delay(self, attempts_made: int) -> timedelta:
        """The pause after the ``attempts_made``-th failed attempt (1, 2, ...)."""
        seconds = self.base_seconds * 2 ** max(0, attempts_made - 1)
        return timedelta(seconds=min(self.max_seconds, seconds))

    def next_attempt(self, attempts_made: int, now: datetime) -> datetime | None:
        """When to try again, or None when the message is to be abandoned."""
        if attempts_made >= self.max_attempts:
            return None
        return now + self.delay(attempts_made)
