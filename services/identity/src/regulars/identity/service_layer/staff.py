"""What a business's staff (through its API key) may do with identity: settings, client status,
staff-only pet fields. Nothing here creates an account or sets a client's password (R-I4)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Row

from regulars.identity.domain.businesses import BusinessChanges, Currency, Timezone
from regulars.identity.domain.errors import NoSuch, invalid_fields
from regulars.identity.service_layer import businesses as uc
from regulars.identity.service_layer.clients import Identity, account_by_email, account_by_id
from regulars.shared.contracts.identity import (
    MAX_EMBED_ORIGINS,
    BookingPolicy,
    Branding,
    BusinessSettings,
    BusinessSettingsView,
    BusinessSnapshot,
    ClientLogins,
    ClientStatus,
    EmbedOrigin,
    Sections,
)
from regulars.shared.db.rows import model_of
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import normalize_email
from regulars.shared.locale import Locale


class SettingsChanges(BaseModel):
    """Fields left out stay; ``sections``, ``booking_policy`` and ``branding`` may be partial
    (in ``branding``, null removes a value)."""

    model_config = ConfigDict(extra="forbid")
    client_logins: ClientLogins | None = None
    sections: dict[str, bool] | None = None
    booking_policy: dict[str, Any] | None = None
    branding: dict[str, str | None] | None = None
    embed_origins: list[EmbedOrigin] | None = Field(default=None, max_length=MAX_EMBED_ORIGINS)  # the whole list
    timezone: Timezone | None = None
    default_locale: Locale | None = None
    currency: Currency | None = None


def settings_view(business: BusinessSnapshot) -> BusinessSettingsView:
    """The business's settings as its staff see them: its settings, time zone, locale, currency."""
    return BusinessSettingsView.model_validate(
        {
            **business.model_dump(include={"timezone", "default_locale", "currency", "version"}),
            **business.settings.model_dump(),
        }
    )


async def get_settings(ident: Identity, slug: str) -> BusinessSettingsView:
    """The business's settings (R-S1…R-S4), for its staff."""
    async with ident.engine.connect() as conn:
        return settings_view(await uc.get_business_by_slug(conn, slug))


async def change_settings(ident: Identity, slug: str, changes: SettingsChanges) -> BusinessSettingsView:
    """Apply; emits ``identity.business.updated.v1`` when anything changed."""
    _refuse_unknown(changes.sections, Sections)
    _refuse_unknown(changes.booking_policy, BookingPolicy)
    _refuse_unknown(changes.branding, Branding)
    async with UnitOfWork(ident.engine) as uow:
        current = await uc.get_business_by_slug(uow.conn, slug)
        merged = current.settings.model_dump()
        if changes.client_logins is not None:
            merged["client_logins"] = changes.client_logins
        if changes.sections is not None:
            merged["sections"] = {**merged["sections"], **changes.sections}
        if changes.booking_policy is not None:
            merged["booking_policy"] = {**merged["booking_policy"], **changes.booking_policy}
        if changes.branding is not None:
            merged["branding"] = {**merged["branding"], **changes.branding}
        if changes.embed_origins is not None:
            merged["embed_origins"] = list(dict.fromkeys(changes.embed_origins))
        settings = BusinessSettings.model_validate(merged)
        snapshot = await uc.update_business(
            uow,
            slug,
            BusinessChanges(
                settings=settings,
                timezone=changes.timezone,
                default_locale=changes.default_locale,
                currency=changes.currency,
            ),
        )
    return settings_view(snapshot)


def _refuse_unknown(sent: dict[str, Any] | None, model: type[BaseModel]) -> None:
    unknown = sorted(set(sent or {}) - set(model.model_fields))
    if unknown:
        raise invalid_fields(unknown, "unknown_field", "not a setting")


def _status(row: Row[Any]) -> ClientStatus:
    status = "active" if row.email_verified_at is not None else "unverified"
    return model_of(ClientStatus, row, status=status, verified_at=row.email_verified_at)


async def client_status(ident: Identity, slug: str, *, account_id: uuid.UUID | None, email: str | None) -> ClientStatus:
    """Whether a client of this business has an account, and whether it is verified."""
    async with ident.engine.connect() as conn:
        business = await uc.get_business_by_slug(conn, slug)
        if account_id is not None:
            return _status(await account_by_id(conn, business, account_id))
        try:
            address = normalize_email(email or "")
        except ValueError as exc:
            raise NoSuch("Client account") from exc
        row = await account_by_email(conn, business, address)
        if row is None:
            raise NoSuch("Client account")
        return _status(row)
