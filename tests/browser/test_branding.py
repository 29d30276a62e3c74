"""The business's brand colour and logo restyle the widget through its CSS custom properties,
and text on the brand colour stays readable (white or dark by luminance; axe-core checks it)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.browser

ROOT_PROPERTY = "(name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()"


async def set_branding(stack: Stack, slug: str, key: str, branding: dict[str, Any]) -> None:
    url = f"{stack.gateway_url}/api/v1/admin/businesses/{slug}/settings"
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as http, http.patch(url, json={"branding": branding}) as response:
        assert response.status == 200, await response.text()


async def prop(page: Page, name: str) -> str:
    return str(await page.evaluate(ROOT_PROPERTY, name))


async def test_brand_colour_from_the_business_api_reaches_the_css_custom_properties(
    page: Page, stack: Stack, make_business: Any, business_key: Any, a11y: Any
) -> None:
    slug = await make_business()
    key = business_key(slug)
    sign_in = f"{stack.gateway_url}/w/{slug}/sign-in"
    button = page.get_by_role("button", name="Sign in", exact=True)
    await page.goto(sign_in)
    await expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert await prop(page, "--brand") == "#2f4fc4"  # the widget's own colour until the business sets one

    # A dark brand: white text on it, the brand itself for links.
    await set_branding(stack, slug, key, {"brand_color": "#7A1F5C", "logo_url": "https://example.com/logo.png"})
    await page.reload()
    await expect(button).to_have_css("background-color", "rgb(122, 31, 92)")
    await expect(button).to_have_css("color", "rgb(255, 255, 255)")
    assert await prop(page, "--brand") == "#7a1f5c"
    assert await prop(page, "--brand-contrast") == "#ffffff"
    assert await prop(page, "--brand-ink") == "#7a1f5c"
    await expect(page.locator('meta[name="theme-color"]')).to_have_attribute("content", "#7a1f5c")
    await expect(page.locator(".brand img.logo")).to_have_attribute("src", "https://example.com/logo.png")
    await a11y(page)

    # A light brand: dark text on it, and links in the ordinary text colour (yellow on white is unreadable).
    await set_branding(stack, slug, key, {"brand_color": "#ffd400", "logo_url": None})
    await page.reload()
    await expect(button).to_have_css("background-color", "rgb(255, 212, 0)")
    await expect(button).to_have_css("color", "rgb(28, 29, 33)")
    assert await prop(page, "--brand-contrast") == "#1c1d21"
    assert await prop(page, "--brand-ink") == "#1c1d21"
    await expect(page.locator(".brand img.logo")).to_have_count(0)
    await a11y(page)
