"""Organizations and businesses: what may be created and changed (R-T1, R-T2, R-S1..R-S4)."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, Field

from regulars.shared.contracts.identity import BusinessSettings, ClientDatabase, Vertical
from regulars.shared.locale import Locale

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("use 1 to 63 lowercase letters, digits and inner hyphens")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not an IANA time zone") from exc
    if value not in available_timezones():
        raise ValueError("not an IANA time zone")
    return value


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("use an ISO 4217 code such as EUR")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Timezone = Annotated[str, AfterValidator(_timezone)]
Currency = Annotated[str, AfterValidator(_currency)]


class OrganizationSpec(BaseModel):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    client_database: ClientDatabase = "per_business"


class BusinessSpec(BaseModel):
    """Everything needed to create a business, or the full new state of one."""

    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    vertical: Vertical = "salon"
    timezone: Timezone = "UTC"
    currency: Currency = "EUR"
    default_locale: Locale = "en"
    settings: BusinessSettings = Field(default_factory=BusinessSettings)


class BusinessChanges(BaseModel):
    """A partial change; fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    vertical: Vertical | None = None
    timezone: Timezone | None = None
    currency: Currency | None = None
    default_locale: Locale | None = None
    settings: BusinessSettings | None = None
