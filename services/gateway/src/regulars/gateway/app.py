"""The gateway application: public API under /api/v1, health, the widget."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aiohttp
from aiohttp import web

from regulars.gateway import widget
from regulars.gateway.card_guard import refuse_card_numbers
from regulars.gateway.keys import CLIENTS, SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.sessions import SESSION_CACHE, session_cache_ctx
from regulars.gateway.views import admin, me, pets, public
from regulars.gateway.views import admin_appointments as admin_appointment_views
from regulars.gateway.views import auth as auth_views
from regulars.gateway.views import bookings as booking_views
from regulars.gateway.views import catalog as catalog_views
from regulars.gateway.views import notifications as notification_views
from regulars.shared.http.app import READINESS_CHECKS, base_app
from regulars.shared.http.internal import ServiceClient
from regulars.shared.settings import SERVICES, Settings

API_VERSION = "0.1.0"
ROUTES = ApiRoutes()
public.register(ROUTES)
auth_views.register(ROUTES)
me.register(ROUTES)
pets.register(ROUTES)
admin.register(ROUTES)
catalog_views.register(ROUTES)
booking_views.register(ROUTES)
admin_appointment_views.register(ROUTES)
notification_views.register(ROUTES)


def openapi_document() -> dict[str, Any]:
    return ROUTES.openapi("Regulars public API", API_VERSION)


async def healthz(request: web.Request) -> web.Response:
    """Readiness of every service, asked concurrently."""
    clients = request.app[CLIENTS]
    answers = await asyncio.gather(*(client.ready() for client in clients.values()))
    services = dict(zip(clients, answers, strict=True))
    ready = all(answer["ready"] for answer in answers)
    sessions = "trusted" if request.app[SESSION_CACHE].live else "bypassed"  # informs; not a readiness condition
    return web.json_response(
        {"status": "ready" if ready else "degraded", "services": services, "session_cache": sessions},
        status=200 if ready else 503,
    )


async def openapi_json(_request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


def build_app(settings: Settings) -> web.Application:
    app = base_app()
    app.middlewares.append(refuse_card_numbers)
    app[SETTINGS] = settings

    async def http_clients(app: web.Application) -> Any:
        timeout = aiohttp.ClientTimeout(total=settings.downstream_timeout_seconds)
        async with aiohttp.ClientSession(
            timeout=timeout, json_serialize=lambda o: json.dumps(o, default=str)
        ) as session:
            app[CLIENTS] = {
                name: ServiceClient(name, settings.url_of(name), settings.internal_token, session) for name in SERVICES
            }
            yield

    app.cleanup_ctx.append(http_clients)
    app.cleanup_ctx.append(session_cache_ctx(settings))
    app[READINESS_CHECKS]["self"] = _always_ready
    app.on_response_prepare.append(no_store_own_data)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/v1/openapi.json", openapi_json)
    ROUTES.add_to(app)
    widget.setup_routes(app)
    return app


async def _always_ready() -> bool:
    return True


# A client's own data (profile, bookings, devices…) is never kept by a browser or proxy cache.
OWN_DATA = re.compile(r"/api/v1/b/[^/]+/me(?:/|$)")


async def no_store_own_data(request: web.Request, response: web.StreamResponse) -> None:
    if OWN_DATA.match(request.path):
        response.headers["Cache-Control"] = "no-store"
