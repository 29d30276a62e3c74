"""Who is calling, as identity is told: the client's address and device, and once signed in their session.

- Address: the peer, or ``X-Forwarded-For`` read right to left behind trusted proxies.
- Device: cookie ``regulars_device`` (HMAC-signed id, set at every sign-in), passed to
  identity as ``X-Client-Device`` with the client's address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import uuid
from dataclasses import dataclass
from functools import lru_cache

from aiohttp import web

from regulars.gateway.keys import SETTINGS
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal
from regulars.shared.settings import Settings

CLIENT_IP_HEADER = "X-Client-IP"
CLIENT_AGENT_HEADER = "X-Client-User-Agent"
CLIENT_DEVICE_HEADER = "X-Client-Device"
DEVICE_COOKIE = "regulars_device"
DEVICE_COOKIE_DAYS = 400  # the longest browsers keep a cookie
DEVICE_ID: web.RequestKey[str] = web.RequestKey("device_id", str)
SESSION_HEADER = "X-Principal-Session"


@dataclass(frozen=True)
class ClientContext:
    """The signed-in client of a request, on the business of its path (``auth.require_client``)."""

    business: BusinessSnapshot
    account_id: uuid.UUID
    session_id: uuid.UUID
    principal: Principal
    token: str
    via_cookie: bool

    def headers(self) -> dict[str, str]:
        """Headers that tell identity which session acts (for "this device" and "other devices")."""
        return {SESSION_HEADER: str(self.session_id)}


# --- The client's address -------------------------------------------------------------


@lru_cache(maxsize=8)
def _trusted(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _is_trusted(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: web.Request) -> str:
    """The peer address; ``X-Forwarded-For`` is believed only when the peer is a configured proxy,
    and then only up to the first address no trusted proxy vouches for (read right to left)."""
    peer = request.remote or ""
    networks = _trusted(request.app[SETTINGS].trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def caller_headers(request: web.Request) -> dict[str, str]:
    return {
        CLIENT_IP_HEADER: client_ip(request),
        CLIENT_AGENT_HEADER: request.headers.get("User-Agent", "")[:300],
        CLIENT_DEVICE_HEADER: device_id(request),
    }


# --- The device cookie ------------------------------------------------------------------
# A random id per browser, signed so that only ids this gateway issued count. Identity keeps
# it on each session: a device that signed in to an account before keeps its own sign-in
# allowance while the account's failed-sign-in ceiling holds (docs/accounts.md).


def _device_mac(settings: Settings, device: str) -> str:
    mac = hmac.new(settings.device_cookie_secret.encode(), b"device:" + device.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def device_id(request: web.Request) -> str:
    """The device id of a validly signed device cookie, else a new one (set on sign-in)."""
    if DEVICE_ID not in request:
        device, _, mac = request.cookies.get(DEVICE_COOKIE, "").partition(".")
        valid = len(device) == 32 and hmac.compare_digest(mac, _device_mac(request.app[SETTINGS], device))
        request[DEVICE_ID] = device if valid else uuid.uuid4().hex
    return request[DEVICE_ID]


def set_device_cookie(response: web.StreamResponse, request: web.Request) -> None:
    """(Re)set the device cookie of this request's device: ``HttpOnly; SameSite=Lax`` (+ ``Secure``), 400 days."""
    settings = request.app[SETTINGS]
    device = device_id(request)
    response.set_cookie(
        DEVICE_COOKIE,
        f"{device}.{_device_mac(settings, device)}",
        path="/api/",
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        secure=secure_cookies(settings),
        samesite="Lax",
    )


def business_principal(business: BusinessSnapshot) -> Principal:
    """The principal at a business without an account: its staff (API key), or a visitor."""
    return Principal(org_id=business.org_id, business_id=business.business_id)


def secure_cookies(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")
