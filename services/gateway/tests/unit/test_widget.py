"""The widget's static side: its message catalogs and how the gateway serves its files."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from regulars.gateway import widget

WIDGET = Path(widget.__file__).parent
LOCALES = ("en", "es", "it", "pt")


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def catalog(locale: str) -> dict[str, str]:
    return flatten(json.loads((WIDGET / "i18n" / f"{locale}.json").read_text()))


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_r_u4_every_text_exists_in_every_language_with_the_same_placeholders(locale: str) -> None:
    english, other = catalog("en"), catalog(locale)
    assert set(other) == set(english)
    for key, text in other.items():
        assert text.strip(), f"{locale}:{key} is empty"
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), key


def test_r_u4_every_key_the_widget_uses_is_in_the_catalog() -> None:
    english = catalog("en")
    used: set[str] = set()
    families: set[str] = set()
    for source in WIDGET.rglob("*.js"):
        text = source.read_text()
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+(?:\.[a-z_0-9]+)+)\"", text))
        families |= set(re.findall(r"\bt\(\s*`([a-z_]+\.[a-z_]*)\$\{", text))
    assert used, "no t(...) calls found: the pattern is out of date"
    assert sorted(key for key in used if key not in english) == []
    for family in families:
        assert any(key.startswith(family) for key in english), family


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    widget.setup_routes(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/w/demo-salon/", "/w/demo-salon/account/notifications", "/w/demo-salon/verify"])
async def test_every_client_route_is_the_widget_page_for_that_business(
    client: TestClient[web.Request, web.Application], path: str
) -> None:
    response = await client.get(path + "?token=abc")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<base href="/w/demo-salon/">' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


async def test_a_malformed_slug_is_not_served(client: TestClient[web.Request, web.Application]) -> None:
    assert (await client.get("/w/Bad_Slug!/")).status == 404
    redirect = await client.get("/w/demo-salon", allow_redirects=False)
    assert redirect.status == 308
    assert redirect.headers["Location"] == "/w/demo-salon/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/w/_/app.js", "text/javascript"),
        ("/w/_/sections/index.js", "text/javascript"),
        ("/w/_/widget.css", "text/css"),
        ("/w/_/i18n/es.json", "application/json"),
        ("/w/_/icons/icon-192.png", "image/png"),
        ("/w/demo-salon/sw.js", "text/javascript"),
    ],
)
async def test_assets_are_served_with_their_type(
    client: TestClient[web.Request, web.Application], path: str, content_type: str
) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/w/_/__init__.py", "/w/_/../app.py", "/w/_/%2e%2e/app.py", "/w/_/nope.js"])
async def test_only_widget_assets_are_served(client: TestClient[web.Request, web.Application], path: str) -> None:
    assert (await client.get(path)).status == 404
