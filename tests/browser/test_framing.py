"""The widget page can be framed only by the sites its business lists (CSP frame-ancestors, issue 8):
a page on another origin (a second local server) frames it, and shows the embed.js button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from regulars.shared.testing.infra import Stack, free_port
from regulars.shared.testing.waiting import eventually

pytestmark = pytest.mark.browser


@pytest.fixture
async def shop_site(stack: Stack) -> AsyncIterator[Any]:
    """The business's own site, on another origin: ``page(slug)`` frames the widget and adds the button."""
    port = free_port()

    async def shop(request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        widget = f"{stack.gateway_url}/w/{slug}/sign-in"
        text = (
            f'<!doctype html><html lang="en"><title>Shop</title><h1>Our shop</h1>'
            f'<script src="{stack.gateway_url}/w/_/embed.js" data-business="{slug}"></script>'
            f'<iframe title="Our bookings" src="{widget}" width="400" height="600"></iframe></html>'
        )
        return web.Response(text=text, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{slug}", shop)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def set_embed_origins(stack: Stack, slug: str, key: str, origins: list[str]) -> None:
    url = f"{stack.gateway_url}/api/v1/admin/businesses/{slug}/settings"
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as http, http.patch(url, json={"embed_origins": origins}) as r:
        assert r.status == 200, await r.text()


async def test_the_widget_is_framed_only_where_its_business_allows(
    page: Page, stack: Stack, make_business: Any, business_key: Any, shop_site: str
) -> None:
    slug = await make_business()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)

    await page.goto(f"{shop_site}/{slug}")

    # Not allowed by default: the browser refuses to show the widget in the shop's frame.
    async def reported() -> list[str] | None:
        return refused or None

    await eventually(reported, timeout=10)
    frame = page.frame_locator("iframe")
    await expect(frame.get_by_role("heading", level=1, name="Sign in")).to_have_count(0)
    # The button of embed.js needs no setting: it links to the widget.
    button = page.get_by_role("link", name="My account")
    await expect(button).to_have_attribute("href", f"{stack.gateway_url}/w/{slug}/")

    await set_embed_origins(stack, slug, business_key(slug), [shop_site])
    refused.clear()
    await page.reload()
    await expect(frame.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert refused == []
    await expect(button).to_be_visible()
