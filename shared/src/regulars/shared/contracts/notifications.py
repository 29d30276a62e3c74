"""Events published by the notifications service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from regulars.shared.contracts.events import Event

PreferenceSource = Literal["sign_up", "client", "unsubscribe_link", "sms_stop"]


class ChannelPreferences(BaseModel):
    transactional: bool
    marketing: bool


class PreferenceMatrix(BaseModel):
    """Channel x category: what the client agreed to receive from one business (R-N1)."""

    email: ChannelPreferences
    sms: ChannelPreferences


class PreferencesChanged(Event):
    """A client's notification preferences at one business changed: other systems follow consent."""

    routing_key = "notifications.preferences.changed.v1"
    account_id: uuid.UUID
    business_id: uuid.UUID
    preferences: PreferenceMatrix
    changed: list[str] = Field(description='What changed, as "channel.category" (e.g. "email.marketing").')
    source: PreferenceSource


# --- Internal API (gateway -> notifications) and public API models ---------------


class NotificationPreferences(BaseModel):
    """The client's matrix at this business, and which categories are always sent regardless."""

    email: ChannelPreferences
    sms: ChannelPreferences
    always_sent: list[str] = Field(
        default=["security", "receipt"],
        description=(
            "Categories sent whatever the switches say: verification, password reset, security notices, receipts."
        ),
    )


class UnsubscribeRequest(BaseModel):
    token: str = Field(min_length=10, max_length=2000)


class UnsubscribeDescription(BaseModel):
    """What an unsubscribe token turns off; ``subscribed`` is its current state."""

    business: str
    business_name: str
    channel: Literal["email", "sms"]
    category: Literal["transactional", "marketing"]
    subscribed: bool


class MarketingMessageRequest(BaseModel):
    """A marketing message from the business: to one client (``account_id``) or to all who opted in."""

    channel: Literal["email", "sms"] = "email"
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)
    account_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = Field(
        default=None, description="Sending the same campaign again adds nothing; generated when absent."
    )
    send_at: datetime | None = Field(default=None, description="Send later (scheduled), in ISO 8601 with offset.")


class MarketingMessageResult(BaseModel):
    campaign_id: uuid.UUID
    queued: list[uuid.UUID]
    suppressed: list[uuid.UUID] = Field(description="Messages stored but not sent; the dispatch log says why.")


class DispatchEntry(BaseModel):
    attempt: int
    outcome: str
    detail: str
    courier: str | None
    at: datetime


class MessageSummary(BaseModel):
    id: uuid.UUID
    business_id: uuid.UUID | None
    account_id: uuid.UUID | None
    channel: str
    category: str
    template: str
    locale: str
    recipient: str
    subject: str
    status: str
    attempts: int
    due_at: datetime
    created_at: datetime
    sent_at: datetime | None
    subject_ref: str | None
    last_error: str | None


class MessageDetail(MessageSummary):
    headers: dict[str, str]
    dispatch_log: list[DispatchEntry]


class MessageList(BaseModel):
    messages: list[MessageSummary]


class InboundWebhook(BaseModel):
    """A provider's webhook call as the gateway forwards it (signature checked by the service)."""

    url: str
    body: str = Field(max_length=20000)
    content_type: str = ""
    signature: str = ""


class InboundResult(BaseModel):
    action: Literal["stop", "start", "other"]
    changed: int
