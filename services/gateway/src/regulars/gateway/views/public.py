"""Public, unauthenticated views: the business's public profile."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.tenancy import resolve_business
from regulars.shared.http.app import json_response
from regulars.shared.locale import LOCALES, Locale


class PublicProfile(BaseModel):
    """What the widget needs to know about a business before anyone signs in."""

    slug: str
    name: str
    organization: str
    account_scope: Literal["business", "organization"]
    vertical: str
    timezone: str
    currency: str
    default_locale: Locale
    locales: list[Locale]
    client_logins: Literal["off", "optional", "required"]
    sections: list[str]
    brand_color: str | None = Field(None, description="#rrggbb: the widget's --brand colour")
    logo_url: str | None = Field(None, description="The business's logo (https)")
    embed_origins: list[str] = Field(
        default_factory=list, description="Sites allowed to frame the widget (its frame-ancestors)"
    )


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET",
        "/api/v1/b/{business}",
        summary="Public profile of a business",
        tag="business",
        response=PublicProfile,
        errors={404: "No business has this slug (code business_not_found)."},
    )
    async def get_public_profile(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        profile = PublicProfile(
            slug=business.slug,
            name=business.name,
            organization=business.org_name,
            account_scope="organization" if business.client_database == "global" else "business",
            vertical=business.vertical,
            timezone=business.timezone,
            currency=business.currency,
            default_locale=business.default_locale,
            locales=list(LOCALES),
            client_logins=business.settings.client_logins,
            sections=business.settings.sections.enabled(),
            brand_color=business.settings.branding.brand_color,
            logo_url=business.settings.branding.logo_url,
            embed_origins=business.settings.embed_origins,
        )
        return json_response(profile)
