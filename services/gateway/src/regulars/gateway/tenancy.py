"""Resolving the tenant from the business slug in the path."""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.caller import business_principal
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.paths import SLUG, path_slug
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal

__all__ = ["SLUG", "resolve_business", "visitor"]


async def resolve_business(request: web.Request) -> BusinessSnapshot:
    return await IdentityClient.of(request).business(path_slug(request))


async def visitor(request: web.Request) -> Principal:
    """Anyone at the business of the path, signed in or not: its principal without an account."""
    return business_principal(await resolve_business(request))
