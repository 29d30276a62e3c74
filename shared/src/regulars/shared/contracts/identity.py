"""The identity service's contracts: the events it publishes, and its internal API (gateway -> identity).

The requests of the internal API are the public shapes too: the gateway validates the signed-in
client's and the business's requests with them before it calls, and passes the sign-in flows'
bodies on as they came, since identity checks that the business offers client logins before
the fields (R-S1: its 404 comes before any 422).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from regulars.shared.contracts.dates import CalendarDate
from regulars.shared.contracts.events import Event
from regulars.shared.locale import Locale

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


_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Branding(BaseModel):
    """How the business restyles the client widget (its public profile carries both)."""

    brand_color: str | None = Field(default=None, description="#rrggbb; None: the widget's own colour")
    logo_url: str | None = Field(
        default=None, max_length=2000, description="https URL of the logo (http only for localhost)"
    )

    @field_validator("brand_color")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _COLOUR.fullmatch(value):
            raise ValueError("must be a colour as #rrggbb")
        return value.lower()

    @field_validator("logo_url")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError as exc:
            raise ValueError("must be an https URL") from exc
        if any(ch.isspace() for ch in value) or not host or parts.username or parts.password:
            raise ValueError("must be an https URL")
        if parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS):
            return value
        raise ValueError("must be an https URL (http only for localhost)")


_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
MAX_EMBED_ORIGINS = 20


def embed_origin(value: str) -> str:
    """``https://host[:port]``, normalized (lower case, no default port); it goes into the widget's
    Content-Security-Policy, so nothing but an origin passes (no path, wildcard, ``;`` or space)."""
    problem = "must be an origin such as https://www.example.com (http only for localhost)"
    try:
        parts = urlsplit(value)
        host, port = parts.hostname or "", parts.port
    except ValueError as exc:
        raise ValueError(problem) from exc
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(problem)
    if "?" in value or "#" in value or not (_HOST_NAME.fullmatch(host) or host in LOCAL_HOSTS):
        raise ValueError(problem)
    if parts.scheme.lower() != "https" and not (parts.scheme.lower() == "http" and host in LOCAL_HOSTS):
        raise ValueError(problem)
    scheme = parts.scheme.lower()
    shown = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{shown}" if port in (None, default) else f"{scheme}://{shown}:{port}"


EmbedOrigin = Annotated[str, Field(max_length=300), AfterValidator(embed_origin)]


class BusinessSettings(BaseModel):
    client_logins: ClientLogins = "optional"  # R-S1
    sections: Sections = Field(default_factory=Sections)  # R-S2
    booking_policy: BookingPolicy = Field(default_factory=BookingPolicy)  # R-S3
    branding: Branding = Field(default_factory=Branding)
    embed_origins: list[EmbedOrigin] = Field(
        default_factory=list,
        max_length=MAX_EMBED_ORIGINS,
        description="Sites allowed to frame the client widget (https origins); none: no site may frame it",
    )


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


# --- Client accounts -------------------------------------------------------------
# ``org_id`` is always set; ``business_id`` is the business whose widget the client
# used. An account's scope is the organization (client database ``global``) or the
# business (``per_business``): ``account_scope_business_id`` is None for the former.


class ClientEvent(Event):
    account_id: uuid.UUID
    account_scope_business_id: uuid.UUID | None = None


class ClientRegistered(ClientEvent):
    routing_key = "identity.client.registered.v1"
    email: str
    first_name: str
    last_name: str
    locale: Locale
    marketing_opt_in: bool = False
    phone: str | None = Field(default=None, description="E.164, if the client gave one at sign-up")


class ClientEmailVerified(ClientEvent):
    """The address is proven: appointments claims earlier guest bookings with it (R-A6)."""

    routing_key = "identity.client.email_verified.v1"
    email: str
    phone: str | None = None
    first_name: str
    last_name: str


class ClientProfileUpdated(ClientEvent):
    """``changed`` lists the fields that changed. Consumers apply phone, email and
    birthday to the business's client record, never the name (R-I8)."""

    routing_key = "identity.client.profile_updated.v1"
    changed: list[str]
    email: str
    phone: str | None = None
    birthday: str | None = Field(default=None, description="ISO date")
    first_name: str
    last_name: str
    locale: Locale


class ClientEmailChanged(ClientEvent):
    routing_key = "identity.client.email_changed.v1"
    old_email: str
    new_email: str


class ClientDeleted(ClientEvent):
    """Every service erases or anonymises what it holds about the account (R-T5)."""

    routing_key = "identity.client.deleted.v1"


class SessionRevoked(ClientEvent):
    routing_key = "identity.session.revoked.v1"
    session_id: uuid.UUID
    reason: Literal["logout", "password_reset", "password_changed", "signed_out_by_client", "account_deleted"]


# --- What identity tells a client about ---------------------------------------------
# Facts the notifications service turns into emails: it decides which template, to
# which address and whether to send (identity names no template). Each carries what
# its emails show, typed. They may carry one-time secrets (links, codes), so only the
# notifications service consumes them. All are security messages (always sent, R-N3).


class AccountNotice(Event):
    """Base of identity's facts for a client: the address the fact is about, kept as given
    (not the account's address at send time), the language and the client's first name."""

    account_id: uuid.UUID | None = None
    to_email: str
    locale: Locale | None = Field(default=None, description="None: the business's default language.")
    first_name: str = ""


class VerificationRequested(AccountNotice):
    """A new account's address is to be verified: the link and the code that verify it (R-I3)."""

    routing_key = "identity.verification.requested.v1"
    link: str
    code: str = ""


class ExistingAccountClaimed(AccountNotice):
    """Someone signed up (or changed an email) with this account's address: it is told how to
    sign in or reset its password, and the stranger learns nothing."""

    routing_key = "identity.existing_account.claimed.v1"
    sign_in_link: str
    reset_link: str


class PasswordResetRequested(AccountNotice):
    routing_key = "identity.password_reset.requested.v1"
    link: str


class SignInLinkRequested(AccountNotice):
    """An emailed sign-in: the one-time link and code."""

    routing_key = "identity.sign_in_link.requested.v1"
    link: str
    code: str = ""


class PasswordChanged(AccountNotice):
    """The password was changed or reset: the client is told."""

    routing_key = "identity.password.changed.v1"


class EmailChangeRequested(AccountNotice):
    """A new address was asked for: ``link`` verifies ``new_email``, and the current address
    (``to_email``) is told (R-I7)."""

    routing_key = "identity.email_change.requested.v1"
    new_email: str
    link: str


# --- Internal API of identity (gateway ↔ identity), also the public shapes -------


class Address(BaseModel):
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = Field(default="", description="ISO 3166-1 alpha-2, e.g. ES")


class ClientAccount(BaseModel):
    """A client's profile as the client sees it."""

    account_id: uuid.UUID
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    phone: str | None = Field(default=None, description="E.164, e.g. +34600000000")
    birthday: date | None = None
    address: Address | None = None
    locale: Locale
    marketing_opt_in: bool
    account_scope: Literal["business", "organization"]
    created_at: datetime


class SessionToken(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>' (apps) or keep the cookie (widget).")
    expires_at: datetime


class SignedIn(BaseModel):
    account: ClientAccount
    session: SessionToken


class ClientSession(BaseModel):
    """A device signed in to the account."""

    session_id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    current: bool


class ResolvedSession(BaseModel):
    """What identity answers the gateway for a valid session token on a business."""

    account_id: uuid.UUID
    session_id: uuid.UUID
    business: BusinessSnapshot


class Pet(BaseModel):
    """A pet profile as the client sees it: staff-only fields are never in it (R-I9)."""

    pet_id: uuid.UUID
    name: str
    species: str
    breed: str | None = None
    birthday: date | None = None
    weight_kg: float | None = None
    notes: str | None = Field(default=None, description="The client's notes for the business.")
    created_at: datetime
    updated_at: datetime


class StaffPet(Pet):
    """A pet profile as staff see it, with their own fields (R-I9)."""

    staff_notes: str | None = None
    staff_fields: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class ClientStatus(BaseModel):
    """What staff may know of a client account: whether it exists and is verified (R-I4: no more)."""

    account_id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    status: Literal["unverified", "active"]
    created_at: datetime
    verified_at: datetime | None = None
    last_sign_in_at: datetime | None = None


class Sessions(BaseModel):
    sessions: list[ClientSession]


class Pets(BaseModel):
    pets: list[Pet]


class StaffPets(BaseModel):
    pets: list[StaffPet]


class Export(BaseModel):
    """Everything identity holds about the client (account, sessions, emailed links, pets)."""

    model_config = ConfigDict(extra="allow")
    exported_at: str
    account: dict[str, Any]
    sessions: list[dict[str, Any]]
    emailed_links: list[dict[str, Any]]
    pets: list[dict[str, Any]]


class Accepted(BaseModel):
    status: str = Field(
        description="verification_sent, reset_link_sent or sign_in_link_sent; "
        "the same whether or not an account exists."
    )


class EmailChanged(BaseModel):
    status: Literal["email_changed"]
    email: str


class BusinessSettingsView(BaseModel):
    client_logins: ClientLogins = Field(description="R-S1")
    sections: Sections = Field(description="R-S2")
    booking_policy: BookingPolicy = Field(description="R-S3")
    branding: Branding = Field(description="Brand colour and logo of the client widget (public profile)")
    embed_origins: list[str] = Field(description="Sites allowed to frame the client widget (public profile)")
    timezone: str = Field(description="R-S4, IANA name")
    default_locale: str = Field(description="R-S4: en, es, it or pt")
    currency: str = Field(description="R-S4, ISO 4217")
    version: int


# --- Requests: identity refuses any field it does not know -----------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    email: str = Field(max_length=254)
    password: str = Field(description="8 to 128 characters, not among the 10,000 most common passwords.")
    first_name: str
    last_name: str
    phone: str | None = Field(default=None, description="With its country code; stored as E.164.")
    birthday: CalendarDate | None = None
    locale: Locale | None = None
    marketing_opt_in: bool = False


class VerifyRequest(Strict):
    token: str | None = Field(default=None, description="The token of the emailed link.")
    email: str | None = Field(default=None, description="With code: the address the code was sent to.")
    code: str | None = Field(default=None, description="The 6-digit code of the same email.")


class EmailRequest(Strict):
    email: str


class LoginRequest(Strict):
    email: str
    password: str


class ResetRequest(Strict):
    token: str
    password: str


class TokenRequest(Strict):
    """A secret token: an emailed link's, or a session's (sign-out, resolving a session)."""

    token: str


class ProfilePatch(Strict):
    """Only the fields sent change; null clears phone, birthday or address."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = Field(default=None, description="With its country code; stored as E.164.")
    birthday: CalendarDate | None = None
    address: Address | None = None
    locale: Locale | None = None
    marketing_opt_in: bool | None = None


class EmailChangeRequest(Strict):
    new_email: str
    password: str


class PasswordChangeRequest(Strict):
    current_password: str
    new_password: str


class PasswordConfirmation(Strict):
    password: str


class PetRequest(Strict):
    name: str
    species: str = Field(description="e.g. dog, cat, rabbit")
    breed: str | None = None
    birthday: CalendarDate | None = None
    weight_kg: float | None = None
    notes: str | None = Field(default=None, description="The client's notes for the business.")


class PetPatch(Strict):
    """Only the fields sent change."""

    name: str | None = None
    species: str | None = None
    breed: str | None = None
    birthday: CalendarDate | None = None
    weight_kg: float | None = None
    notes: str | None = None


class SettingsPatch(Strict):
    """Fields left out stay; ``sections``, ``booking_policy`` and ``branding`` may be given in part."""

    client_logins: ClientLogins | None = None
    sections: dict[str, bool] | None = None
    booking_policy: dict[str, Any] | None = None
    branding: dict[str, str | None] | None = Field(
        None,
        description="brand_color (#rrggbb) and logo_url (https; http only for localhost); null removes one",
        examples=[{"brand_color": "#8a3ffc", "logo_url": "https://example.com/logo.png"}],
    )
    embed_origins: list[str] | None = Field(
        None,
        max_length=MAX_EMBED_ORIGINS,
        description="The whole list of https origins allowed to frame the widget ([] : none may)",
        examples=[["https://www.example.com"]],
    )
    timezone: str | None = None
    default_locale: str | None = None
    currency: str | None = None


class StaffPetPatch(Strict):
    staff_notes: str | None = None
    staff_fields: dict[str, str | int | float | bool | None] | None = None
