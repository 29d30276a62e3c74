"""Resolving the tenant from the business slug in the path."""

from __future__ import annotations

import re

from aiohttp import web

from regulars.gateway.keys import CLIENTS
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.errors import ApiError

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


async def resolve_business(request: web.Request) -> BusinessSnapshot:
    slug = request.match_info["business"]
    if not SLUG.match(slug):
        raise ApiError(404, "business_not_found", f"No business is called {slug!r}.")
    body = await request.app[CLIENTS]["identity"].get(f"/internal/businesses/{slug}")
    return BusinessSnapshot.model_validate(body)
