"""How the gateway serves the widget's files, and the service worker's list of them (catalogs:
test_widget_catalogs.py)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from regulars.gateway import widget
from regulars.gateway.keys import CLIENTS
from regulars.gateway.widget.branded_icons import unfiltered_pixels
from regulars.shared.contracts.identity import BusinessSettings
from regulars.shared.http.errors import ApiError

WIDGET = Path(widget.__file__).parent


class FakeIdentity:
    """Identity's business lookup: demo-salon, framed by the sites in ``embed_origins``; others unknown."""

    def __init__(self) -> None:
        self.embed_origins: list[str] = []
        self.brand_color: str | None = None

    async def request(self, method: str, path: str, *_: Any, **__: Any) -> dict[str, Any]:
        if path != "/internal/businesses/demo-salon":
            raise ApiError(404, "business_not_found", "No business has this slug.")
        settings = BusinessSettings(embed_origins=self.embed_origins, branding={"brand_color": self.brand_color})
        return {
            "business_id": str(uuid.uuid4()), "org_id": str(uuid.uuid4()), "org_name": "Demo",
            "client_database": "global", "slug": "demo-salon", "name": "Demo Salon", "vertical": "salon",
            "timezone": "Europe/Madrid", "currency": "EUR", "default_locale": "en",
            "settings": settings.model_dump(), "version": 1,
        }  # fmt: skip


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity()


@pytest.fixture
async def client(identity: FakeIdentity) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application()
    app[CLIENTS] = {"identity": identity}  # type: ignore[dict-item,misc]
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


async def test_the_page_is_framed_only_by_the_sites_its_business_lists(
    client: TestClient[web.Request, web.Application], identity: FakeIdentity
) -> None:
    response = await client.get("/w/demo-salon/")
    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
    identity.embed_origins = ["https://shop.example.com", "http://localhost:3000"]
    response = await client.get("/w/demo-salon/book")
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith("; frame-ancestors https://shop.example.com http://localhost:3000")
    unknown = await client.get("/w/no-such-salon/")
    assert unknown.status == 404
    assert '<base href="/w/no-such-salon/">' in await unknown.text()  # the page says so in the visitor's language
    assert unknown.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")


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
        ("/w/_/i18n/widget/es.json", "application/json"),
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


def modules_loaded_by(name: str) -> set[str]:
    """`name` and every module it imports, statically or on demand, with the catalogs they load."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        text = (WIDGET / current).read_text()
        for target in re.findall(r'(?:from |import\()"(\.[^"]+)"', text):
            todo.append((WIDGET / current).parent.joinpath(target).resolve().relative_to(WIDGET).as_posix())
    return seen


async def test_the_service_worker_fetches_ahead_every_module_and_catalog_of_every_screen(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get("/w/demo-salon/sw.js")
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", await response.text(), re.S)[1])  # type: ignore[index]
    assert shell == widget.precache()
    registry = (WIDGET / "sections" / "index.js").read_text()
    sections = re.findall(r'import\("\./([\w-]+\.js)"\)', registry)
    assert "bookings.js" in sections
    wanted = {f"sections/{name}" for name in sections} | modules_loaded_by("app.js")
    wanted |= {path.relative_to(WIDGET).as_posix() for path in (WIDGET / "i18n").glob("*/*.json")}
    for section in sections:
        wanted |= modules_loaded_by(f"sections/{section}")
    assert sorted(name for name in wanted if f"/w/_/{name}" not in shell) == []
    assert "/w/_/sw.js" not in shell


async def test_r_u3_the_installed_widget_wears_the_business_brand(
    client: TestClient[web.Request, web.Application], identity: FakeIdentity
) -> None:
    manifest = await (await client.get("/w/demo-salon/manifest.webmanifest")).json(content_type=None)
    assert manifest["theme_color"] == widget.DEFAULT_BRAND
    stock = await (await client.get("/w/demo-salon/icons/icon-192.png")).read()
    assert stock == (WIDGET / "icons" / "icon-192.png").read_bytes()
    for brand, figure in (("#7a1f5c", (0xFF, 0xFF, 0xFF)), ("#f5d90a", (0x1C, 0x1D, 0x21))):
        identity.brand_color = brand
        manifest = await (await client.get("/w/demo-salon/manifest.webmanifest")).json(content_type=None)
        assert manifest["theme_color"] == brand
        for entry in manifest["icons"]:
            response = await client.get(entry["src"])
            assert response.status == 200
            assert response.content_type == "image/png"
            width, _, pixels = unfiltered_pixels(await response.read())
            assert f"{width}x{width}" == entry["sizes"]
            colours = {tuple(pixels[at : at + 3]) for at in range(0, len(pixels), 4) if pixels[at + 3] == 255}
            assert (int(brand[1:3], 16), int(brand[3:5], 16), int(brand[5:7], 16)) in colours
            assert figure in colours  # the figure reads on the brand
    assert (await client.get("/w/demo-salon/icons/nope.png")).status == 404
