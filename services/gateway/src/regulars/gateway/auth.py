"""Who is calling the public API: a signed-in client (session) or a business (API key).

Client sessions are checked against identity on every request, with no cache, so
a sign-out or a revocation takes effect at once on every gateway instance.

- Session: cookie ``regulars_session`` (the widget) or ``Authorization: Bearer rgs_…``
  (apps, scripts).
- CSRF, for cookie-authenticated unsafe requests: header ``X-CSRF-Token`` must equal
  cookie ``regulars_csrf`` (double submit), and both must be the value bound to
  this session (an HMAC of its token), so a cookie planted by a sibling domain
  does not pass.
- Business API key: ``Authorization: Bearer rgk_…``, valid only on its own business.
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
from typing import Any

from aiohttp import web

from regulars.gateway.keys import CLIENTS, SETTINGS
from regulars.gateway.paths import path_slug
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot, ResolvedSession, SessionToken
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Principal, internal_path
from regulars.shared.settings import Settings

SESSION_COOKIE = "regulars_session"
CSRF_COOKIE = "regulars_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_PREFIX = "rgs_"
API_KEY_PREFIX = "rgk_"

CLIENT_IP_HEADER = "X-Client-IP"
CLIENT_AGENT_HEADER = "X-Client-User-Agent"
CLIENT_DEVICE_HEADER = "X-Client-Device"
DEVICE_COOKIE = "regulars_device"
DEVICE_COOKIE_DAYS = 400  # the longest browsers keep a cookie
DEVICE_ID: web.RequestKey[str] = web.RequestKey("device_id", str)
SESSION_HEADER = "X-Principal-Session"


@dataclass(frozen=True)
class ClientContext:
    business: BusinessSnapshot
    account_id: uuid.UUID
    session_id: uuid.UUID
    principal: Principal
    token: str
    via_cookie: bool

    def headers(self) -> dict[str, str]:
        """Headers that tell identity which session acts (for "this device" and "other devices")."""
        return {SESSION_HEADER: str(self.session_id)}


def not_signed_in() -> ApiError:
    return ApiError(401, "not_signed_in", "Sign in to continue.")


def business_slug(request: web.Request) -> str:
    return path_slug(request)


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
        secure=_secure(settings),
        samesite="Lax",
    )


# --- Cookies and CSRF -----------------------------------------------------------------


def csrf_value(settings: Settings, session_token: str) -> str:
    mac = hmac.new(settings.internal_token.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def set_session_cookies(response: web.StreamResponse, settings: Settings, session: SessionToken) -> None:
    """``HttpOnly; SameSite=Lax; Path=/`` (+ ``Secure`` behind https); the CSRF cookie is readable by the widget."""
    max_age = max(0, int((session.expires_at - clock.now()).total_seconds()))
    common = {"path": "/", "samesite": "Lax", "secure": _secure(settings), "max_age": max_age}
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, csrf_value(settings, session.token), httponly=False, **common)  # type: ignore[arg-type]


def clear_session_cookies(response: web.StreamResponse, settings: Settings) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.del_cookie(name, path="/", secure=_secure(settings), samesite="Lax")


def session_secret(request: web.Request) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[len("Bearer ") :].strip()
        return (token if token.startswith(SESSION_PREFIX) else None), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie or None), True


def check_csrf(request: web.Request, session_token: str) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = csrf_value(request.app[SETTINGS], session_token)
    if not sent or not hmac.compare_digest(sent, cookie) or not hmac.compare_digest(sent, expected):
        raise ApiError(403, "csrf_failed", f"Send the {CSRF_HEADER} header with the value of the {CSRF_COOKIE} cookie.")


# --- Dependencies of the views ----------------------------------------------------------


async def require_client(request: web.Request) -> ClientContext:
    """The signed-in client on the business of the path; 401 ``not_signed_in`` otherwise, and 404 when
    the session's account does not belong to this business's client database (R-T2, R-T4)."""
    slug = business_slug(request)
    token, via_cookie = session_secret(request)
    if not token:
        raise not_signed_in()
    if via_cookie:
        check_csrf(request, token)
    _, body = await request.app[CLIENTS]["identity"].request(
        "POST", internal_path("/internal/b/{slug}/sessions/resolve", slug=slug), json={"token": token}
    )
    resolved = ResolvedSession.model_validate(body)
    business = resolved.business
    return ClientContext(
        business=business,
        account_id=resolved.account_id,
        session_id=resolved.session_id,
        principal=Principal(org_id=business.org_id, business_id=business.business_id, account_id=resolved.account_id),
        token=token,
        via_cookie=via_cookie,
    )


async def optional_client(request: web.Request) -> ClientContext | None:
    """The signed-in client, or None when nobody (or an expired session) is signed in."""
    token, _ = session_secret(request)
    if not token:
        return None
    try:
        return await require_client(request)
    except ApiError as exc:
        if exc.status == 401:
            return None
        raise


async def require_business_key(request: web.Request) -> BusinessSnapshot:
    """The business whose API key authorises the call; the key must be this path's business."""
    slug = business_slug(request)
    header = request.headers.get("Authorization", "")
    key = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if not key.startswith(API_KEY_PREFIX):
        raise ApiError(401, "invalid_api_key", "Send the business API key as 'Authorization: Bearer rgk_…'.")
    body = await request.app[CLIENTS]["identity"].request("POST", "/internal/api-keys/verify", json={"key": key})
    business = BusinessSnapshot.model_validate(body[1])
    if business.slug != slug:
        raise ApiError(404, "business_not_found", f"No business is called {slug!r}.")
    return business


def staff_principal(business: BusinessSnapshot) -> Principal:
    return Principal(org_id=business.org_id, business_id=business.business_id)


async def call_identity(
    request: web.Request,
    method: str,
    path: str,
    *,
    client: ClientContext | None = None,
    principal: Principal | None = None,
    json: object = None,
    params: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Call identity for this request: the caller's address and device, and the acting session."""
    headers = caller_headers(request)
    if client is not None:
        headers.update(client.headers())
        principal = principal or client.principal
    return await request.app[CLIENTS]["identity"].request(
        method, path, principal=principal, json=json, params=params, headers=headers
    )
