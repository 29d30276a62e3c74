"""Resolving the tenant from the business slug in the path."""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.keys import CLIENTS
from regulars.gateway.paths import SLUG, path_slug
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import internal_path

__all__ = ["SLUG", "resolve_business"]


async def resolve_business(request: web.Request) -> BusinessSnapshot:
    path = internal_path("/internal/businesses/{slug}", slug=path_slug(request))
    body = await request.app[CLIENTS]["identity"].get(path)
    return BusinessSnapshot.model_validate(body)
