"""A business restyles its client widget: branding set through the business API reaches the
public profile the widget reads; bad values are refused with a 422 and change nothing."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from regulars.identity.service_layer.businesses import create_api_key
from regulars.identity.service_layer.clients import Identity
from regulars.identity.testing import make_business
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.e2e


async def test_branding_patched_through_the_business_api_restyles_the_public_profile(
    stack: Stack, ident: Identity
) -> None:
    business = await make_business(ident)
    async with UnitOfWork(ident.engine) as uow:
        key = (await create_api_key(uow, business.slug, "test")).secret
    admin = f"{stack.gateway_url}/api/v1/admin/businesses/{business.slug}/settings"
    profile_url = f"{stack.gateway_url}/api/v1/b/{business.slug}"
    auth = {"Authorization": f"Bearer {key}"}

    async def patch(http: aiohttp.ClientSession, body: Any) -> tuple[int, Any]:
        async with http.patch(admin, json=body, headers=auth) as response:
            return response.status, await response.json()

    async def profile(http: aiohttp.ClientSession) -> Any:
        async with http.get(profile_url) as response:
            assert response.status == 200
            return await response.json()

    async with aiohttp.ClientSession() as http:
        before = await profile(http)
        assert (before["brand_color"], before["logo_url"]) == (None, None)

        status, body = await patch(
            http, {"branding": {"brand_color": "#8A3FFC", "logo_url": "https://example.com/l.png"}}
        )
        assert status == 200, body
        assert body["branding"] == {"brand_color": "#8a3ffc", "logo_url": "https://example.com/l.png"}
        after = await profile(http)
        assert (after["brand_color"], after["logo_url"]) == ("#8a3ffc", "https://example.com/l.png")
        async with http.get(admin, headers=auth) as response:
            assert (await response.json())["branding"]["brand_color"] == "#8a3ffc"

        # Bad values: 422 with the field, nothing changed.
        for bad, field in (
            ({"brand_color": "purple"}, "brand_color"),
            ({"brand_color": "#8a3ffc", "logo_url": "http://example.com/l.png"}, "logo_url"),
            ({"logo_url": "javascript:alert(1)"}, "logo_url"),
            ({"font": "Comic Sans"}, "font"),
        ):
            status, body = await patch(http, {"branding": bad, "client_logins": "required"})
            assert status == 422, body
            assert any(f["field"].endswith(field) for f in body["error"]["fields"]), body
        unchanged = await profile(http)
        assert (unchanged["brand_color"], unchanged["logo_url"], unchanged["client_logins"]) == (
            "#8a3ffc",
            "https://example.com/l.png",
            "optional",
        )

        # Partial: only the colour changes; null removes the logo.
        status, body = await patch(http, {"branding": {"brand_color": "#005a9c"}})
        assert status == 200, body
        assert (await profile(http))["logo_url"] == "https://example.com/l.png"
        status, body = await patch(http, {"branding": {"logo_url": None}})
        assert status == 200, body
        final = await profile(http)
        assert (final["brand_color"], final["logo_url"]) == ("#005a9c", None)

        # Another business's profile is untouched.
        other = await make_business(ident)
        async with http.get(f"{stack.gateway_url}/api/v1/b/{other.slug}") as response:
            assert (await response.json())["brand_color"] is None
