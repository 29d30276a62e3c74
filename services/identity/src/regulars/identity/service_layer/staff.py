"""What a business's staff (through its API key) may do with identity: settings, client status,
staff-only pet fields. Nothing here creates an account or sets a client's password (R-I4)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from regulars.identity.domain.businesses import BusinessChanges, Currency, Timezone
from regulars.identity.service_layer import businesses as uc
from regulars.identity.service_layer.clients import Identity, NotFound, account_by_email, account_by_id
from regulars.shared.contracts.identity import (
    MAX_EMBED_ORIGINS,
    BookingPolicy,
    Branding,
    BusinessSettings,
    BusinessSnapshot,
    ClientLogins,
    ClientStatus,
    EmbedOrigin,
    Sections,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import normalize_email
from regulars.shared.http.errors import ApiError, FieldError
from regulars.shared.locale import Locale


class BusinessSettingsView(BaseModel):
    """R-S1 client logins, R-S2 sections, R-S3 booking policy, R-S4 time zone, locale, currency;
    the widget's branding."""

    client_logins: ClientLogins
    sections: Sections
    booking_policy: BookingPolicy
    branding: Branding
    embed_origins: list[str]
    timezone: str
    default_locale: str
    currency: str
    version: int


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
    """The business's settings as its staff see them."""
    return BusinessSettingsView(
        client_logins=business.settings.client_logins,
        sections=business.settings.sections,
        booking_policy=business.settings.booking_policy,
        branding=business.settings.branding,
        embed_origins=business.settings.embed_origins,
        timezone=business.timezone,
        default_locale=business.default_locale,
        currency=business.currency,
        version=business.version,
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
        raise ApiError(
            422,
            "validation_error",
            "Some fields are not valid.",
            [FieldError(field=name, code="unknown_field", message="not a setting") for name in unknown],
        )


def _status(row: Any) -> ClientStatus:
    return ClientStatus(
        account_id=row.account_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        status="active" if row.email_verified_at is not None else "unverified",
        created_at=row.created_at,
        verified_at=row.email_verified_at,
        last_sign_in_at=row.last_sign_in_at,
    )


async def client_status(ident: Identity, slug: str, *, account_id: uuid.UUID | None, email: str | None) -> ClientStatus:
    """Whether a client of this business has an account, and whether it is verified."""
    async with ident.engine.connect() as conn:
        business = await uc.get_business_by_slug(conn, slug)
        if account_id is not None:
            return _status(await account_by_id(conn, business, account_id))
        try:
            address = normalize_email(email or "")
        except ValueError as exc:
            raise NotFound("Client account") from exc
        row = await account_by_email(conn, business, address)
        if row is None:
            raise NotFound("Client account")
        return _status(row)
