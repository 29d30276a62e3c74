"""Events published by the notifications service."""

from __future__ import annotations

import uuid
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
