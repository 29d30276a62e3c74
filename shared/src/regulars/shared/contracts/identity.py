"""Events published by the identity service."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from regulars.shared.contracts.events import Event

ClientLogins = Literal["off", "optional", "required"]
ClientDatabase = Literal["per_business", "global"]
Vertical = Literal["salon", "spa", "barber", "pet", "clinic", "studio", "other"]
SECTIONS = ("memberships", "packages", "gift_cards", "referrals", "rewards", "shopping")


class Sections(BaseModel):
    """Which widget sections the business shows (R-S2)."""

    memberships: bool = True
    packages: bool = True
    gift_cards: bool = True
    referrals: bool = False
    rewards: bool = False
    shopping: bool = True

    def enabled(self) -> list[str]:
        return [name for name in SECTIONS if getattr(self, name)]


class BookingPolicy(BaseModel):
    """Whether clients may change bookings online, and until when (R-S3)."""

    online_reschedule: bool = True
    online_cancel: bool = True
    reschedule_window_hours: int = Field(default=24, ge=0, le=24 * 60)
    cancel_window_hours: int = Field(default=24, ge=0, le=24 * 60)


class BusinessSettings(BaseModel):
    client_logins: ClientLogins = "optional"  # R-S1
    sections: Sections = Field(default_factory=Sections)  # R-S2
    booking_policy: BookingPolicy = Field(default_factory=BookingPolicy)  # R-S3


class BusinessSnapshot(BaseModel):
    """What other services keep of a business (their projection)."""

    business_id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    client_database: ClientDatabase
    slug: str
    name: str
    vertical: Vertical
    timezone: str
    currency: str
    default_locale: str
    settings: BusinessSettings
    version: int = Field(ge=1, description="Increases with every change; consumers ignore older versions.")


class BusinessCreated(Event):
    routing_key = "identity.business.created.v1"
    business: BusinessSnapshot


class BusinessUpdated(Event):
    routing_key = "identity.business.updated.v1"
    business: BusinessSnapshot
    changed: list[str] = Field(default_factory=list, description="Top-level fields that changed.")
