"""Identity's internal HTTP API (called by the gateway only)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from regulars.identity.entrypoints.clients_http import setup_client_routes
from regulars.identity.service_layer.businesses import business_for_api_key, get_business_by_slug
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, add_internal_routes
from regulars.shared.service import ENGINE


class ApiKeyCheck(BaseModel):
    key: str


async def get_business(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        snapshot = await get_business_by_slug(conn, request.match_info["slug"])
    return json_response(snapshot)


async def verify_api_key(request: web.Request) -> web.Response:
    check = await parse_body(request, ApiKeyCheck)
    async with request.app[ENGINE].connect() as conn:
        snapshot = await business_for_api_key(conn, check.key)
    if snapshot is None:
        raise ApiError(401, "invalid_api_key", "The API key is not valid.")
    return json_response(snapshot)


def setup_routes(app: web.Application) -> None:
    # Lookups the gateway makes before it knows who calls: a business's public snapshot, a key's business.
    add_internal_routes(app.router, Audience.OPEN, [
        ("GET", "/internal/businesses/{slug}", get_business),
        ("POST", "/internal/api-keys/verify", verify_api_key),
    ])  # fmt: skip
    setup_client_routes(app)
