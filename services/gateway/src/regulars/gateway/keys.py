"""Typed application keys of the gateway."""

from aiohttp import web

from regulars.shared.http.internal import ServiceClient
from regulars.shared.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
CLIENTS = web.AppKey("clients", dict[str, ServiceClient])
