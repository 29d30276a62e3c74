"""Serving the client widget: one HTML page per business, its assets, manifest and service worker.

The widget itself is static (native ES modules, no build step); the only thing
rendered here is the page's ``<base href>``, so every client-side route below
``/w/{business}/`` loads the same page and relative links resolve per business.
Assets are shared by every business under ``/w/_/``: ``_`` can never be a slug.
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from aiohttp import web

from regulars.gateway.tenancy import SLUG, resolve_business
from regulars.gateway.widget.branded_icons import ICONS, branded_icon
from regulars.shared.http.errors import ApiError

ROOT = Path(str(files("regulars.gateway").joinpath("widget"))).resolve()
ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
DEFAULT_BRAND = "#2f4fc4"
# Tokens travel in the query string of email links: never leak them in a Referer.
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
PAGE_POLICY = "default-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'"


def page_headers(embed_origins: list[str]) -> dict[str, str]:
    """The page's headers: only the sites the business lists may frame it (clickjacking), none by default."""
    ancestors = " ".join(embed_origins) or "'none'"
    return {**PAGE_HEADERS, "Content-Security-Policy": f"{PAGE_POLICY}; frame-ancestors {ancestors}"}


def _slug(request: web.Request) -> str:
    slug = request.match_info["business"]
    if not SLUG.match(slug):
        raise web.HTTPNotFound(text="No such business.")
    return slug


async def page(request: web.Request) -> web.Response:
    """The widget's page for every client-side route; 404 (the same page, which says so in the
    visitor's language) when no business has the slug."""
    slug = _slug(request)
    status, embed_origins = 200, []
    try:
        embed_origins = (await resolve_business(request)).settings.embed_origins
    except ApiError as error:  # no such business, or identity is away: the page explains; nobody frames it
        status = 404 if error.status == 404 else 200
    text = (ROOT / "index.html").read_text()
    text = text.replace("{{base}}", html.escape(f"/w/{slug}/", quote=True))
    return web.Response(status=status, text=text, content_type="text/html", headers=page_headers(embed_origins))


# Our asset names; anything else (a NUL, which the file system refuses with an error, `..`, `%5C`) is 404.
ASSET_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.[a-z]+")


async def asset(request: web.Request) -> web.FileResponse:
    name = request.match_info["path"]
    if not ASSET_NAME.fullmatch(name):
        raise web.HTTPNotFound()
    path = (ROOT / name).resolve()
    if not path.is_relative_to(ROOT) or path.suffix not in ASSET_TYPES or not path.is_file():
        raise web.HTTPNotFound()
    # Revalidated every time (ETag / Last-Modified): a deploy is seen at once, unchanged files cost a 304.
    return web.FileResponse(
        path,
        headers={
            "Content-Type": ASSET_TYPES[path.suffix],
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def manifest(request: web.Request) -> web.Response:
    """The web app manifest, so a client can add the business's widget to the home screen (R-U3)."""
    _slug(request)
    business = await resolve_business(request)
    base = f"/w/{business.slug}/"
    # The business's own icons: the stock ones in its brand colour (branded_icon).
    icons: list[dict[str, Any]] = [
        {"src": f"{base}icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": f"{base}icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": f"{base}icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    body = {
        "id": base,
        "name": business.name,
        "short_name": business.name if len(business.name) <= 12 else business.name[:12].rstrip(),
        "lang": business.default_locale,
        "start_url": base,
        "scope": base,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": business.settings.branding.brand_color or DEFAULT_BRAND,
        "icons": icons,
    }
    return web.json_response(body, content_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


async def icon(request: web.Request) -> web.Response:
    """A home-screen icon of the business: the stock one in its brand colour (R-U3)."""
    _slug(request)
    name = request.match_info["name"]
    if name not in ICONS:
        raise web.HTTPNotFound()
    business = await resolve_business(request)
    path = ROOT / "icons" / f"{name}.png"
    colour = business.settings.branding.brand_color
    body = path.read_bytes() if colour in (None, DEFAULT_BRAND) else branded_icon(path, colour)
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=body, content_type="image/png", headers=headers)


# Fetched ahead by the service worker: what a screen may load. Not the worker itself, nor the
# button script of the business's own site; the page is kept per business when it is opened.
PRECACHE_TYPES = {".js", ".css", ".json", ".svg"}
NOT_PRECACHED = {"sw.js", "embed.js"}
PRECACHE_MARK = "[/* PRECACHE */]"


def precache() -> list[str]:
    """Every shared file of the widget a screen may load, so that each screen opens offline."""
    names = (path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*") if path.is_file())
    return sorted(
        f"/w/_/{name}"
        for name in names
        if Path(name).suffix in PRECACHE_TYPES and name not in NOT_PRECACHED and ASSET_NAME.fullmatch(name)
    )


async def service_worker(request: web.Request) -> web.Response:
    _slug(request)
    # Served below /w/{business}/ so that its scope is that business's widget only.
    text = (ROOT / "sw.js").read_text().replace(PRECACHE_MARK, json.dumps(precache()))
    return web.Response(
        text=text,
        content_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


def setup_routes(app: web.Application) -> None:
    """Register the widget's routes; the page route catches every client-side path, so it goes last."""
    app.router.add_get("/w/_/{path:.+}", asset)
    app.router.add_get("/w/{business}/manifest.webmanifest", manifest)
    app.router.add_get("/w/{business}/icons/{name}.png", icon)
    app.router.add_get("/w/{business}/sw.js", service_worker)
    app.router.add_get("/w/{business}", _redirect_to_slash)
    app.router.add_get("/w/{business}/{tail:.*}", page)


async def _redirect_to_slash(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(f"/w/{_slug(request)}/")
