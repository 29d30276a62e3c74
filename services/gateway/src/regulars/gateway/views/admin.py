"""The business side (API key): settings (R-S1..R-S4), client account status, staff-only pet fields (R-I9).

No endpoint here creates a client account or sets a client's password (R-I4).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from regulars.gateway.auth import call_identity, require_business_key, staff_principal
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_slug, path_uuid
from regulars.shared.contracts.identity import (
    MAX_EMBED_ORIGINS,
    BookingPolicy,
    Branding,
    ClientStatus,
    Sections,
    StaffPet,
)
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.internal import internal_path

TAG = "business administration"
BASE = "/api/v1/admin/businesses/{business}"
AUTH = {
    401: "invalid_api_key: no key, or not a live key.",
    404: "business_not_found: the key belongs to another business.",
}


class BusinessSettingsView(BaseModel):
    client_logins: Literal["off", "optional", "required"] = Field(description="R-S1")
    sections: Sections = Field(description="R-S2")
    booking_policy: BookingPolicy = Field(description="R-S3")
    branding: Branding = Field(description="Brand colour and logo of the client widget (public profile)")
    embed_origins: list[str] = Field(description="Sites allowed to frame the client widget (public profile)")
    timezone: str = Field(description="R-S4, IANA name")
    default_locale: str = Field(description="R-S4: en, es, it or pt")
    currency: str = Field(description="R-S4, ISO 4217")
    version: int


class SettingsPatch(BaseModel):
    """Fields left out stay; ``sections``, ``booking_policy`` and ``branding`` may be given in part."""

    model_config = ConfigDict(extra="forbid")
    client_logins: Literal["off", "optional", "required"] | None = None
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


class StaffPetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_notes: str | None = None
    staff_fields: dict[str, str | int | float | bool | None] | None = None


class StaffPets(BaseModel):
    pets: list[StaffPet]


def _admin_path(request: web.Request, tail: str, **values: uuid.UUID) -> str:
    """Identity's staff path for this business; ``tail`` is a constant template of ``values``."""
    return internal_path("/internal/admin/b/{slug}" + tail, slug=path_slug(request), **values)


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET", BASE + "/settings", summary="Business settings", tag=TAG, response=BusinessSettingsView, errors=AUTH
    )
    async def admin_get_settings(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        _, body = await call_identity(
            request, "GET", _admin_path(request, "/settings"), principal=staff_principal(business)
        )
        return json_response(BusinessSettingsView.model_validate(body))

    @routes.route(
        "PATCH",
        BASE + "/settings",
        summary="Change business settings (emits identity.business.updated.v1)",
        tag=TAG,
        request=SettingsPatch,
        response=BusinessSettingsView,
        errors={**AUTH, 422: "A setting is not valid."},
    )
    async def admin_patch_settings(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        form = await parse_body(request, SettingsPatch)
        _, body = await call_identity(
            request,
            "PATCH",
            _admin_path(request, "/settings"),
            principal=staff_principal(business),
            json=form.model_dump(mode="json", exclude_none=True),
        )
        return json_response(BusinessSettingsView.model_validate(body))

    @routes.route(
        "GET",
        BASE + "/clients",
        summary="Find a client account by email (?email=)",
        tag=TAG,
        response=ClientStatus,
        errors={**AUTH, 400: "email_required.", 404: "No such client account."},
    )
    async def admin_find_client(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        _, body = await call_identity(
            request,
            "GET",
            _admin_path(request, "/clients"),
            principal=staff_principal(business),
            params={"email": request.query.get("email", "")},
        )
        return json_response(ClientStatus.model_validate(body))

    @routes.route(
        "GET",
        BASE + "/clients/{account_id}",
        summary="A client account's status",
        tag=TAG,
        response=ClientStatus,
        errors={**AUTH, 404: "No such client account here."},
    )
    async def admin_get_client(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        path = _admin_path(request, "/clients/{account_id}", account_id=path_uuid(request, "account_id"))
        _, body = await call_identity(request, "GET", path, principal=staff_principal(business))
        return json_response(ClientStatus.model_validate(body))

    @routes.route(
        "GET",
        BASE + "/clients/{account_id}/pets",
        summary="A client's pets, with staff-only fields",
        tag=TAG,
        response=StaffPets,
        errors={**AUTH, 404: "Not a pet business, or no such client."},
    )
    async def admin_list_client_pets(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        path = _admin_path(request, "/clients/{account_id}/pets", account_id=path_uuid(request, "account_id"))
        _, body = await call_identity(request, "GET", path, principal=staff_principal(business))
        return json_response(StaffPets.model_validate(body))

    @routes.route(
        "PATCH",
        BASE + "/clients/{account_id}/pets/{pet_id}",
        summary="Set staff-only pet fields (R-I9)",
        tag=TAG,
        request=StaffPetPatch,
        response=StaffPet,
        errors={**AUTH, 404: "Not a pet business, or no such client or pet."},
    )
    async def admin_patch_client_pet(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        path = _admin_path(
            request,
            "/clients/{account_id}/pets/{pet_id}",
            account_id=path_uuid(request, "account_id"),
            pet_id=path_uuid(request, "pet_id"),
        )
        form = await parse_body(request, StaffPetPatch)
        _, body = await call_identity(
            request,
            "PATCH",
            path,
            principal=staff_principal(business),
            json=form.model_dump(mode="json", exclude_unset=True),
        )
        return json_response(StaffPet.model_validate(body))
