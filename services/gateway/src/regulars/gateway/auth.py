"""Who is calling the public API: a signed-in client (session) or a business (API key).

Client sessions are resolved by identity and then kept briefly by each gateway instance
(``sessions.py``): a revocation is heard by every instance through identity's events, and the
cache is not trusted while those events cannot arrive.

- Session: cookie ``regulars_session`` (the widget) or ``Authorization: Bearer rgs_…``
  (apps, scripts).
- CSRF, for cookie-authenticated unsafe requests: header ``X-CSRF-Token`` must equal
  cookie ``regulars_csrf`` (double submit), and both must be the value bound to
  this session (an HMAC of its token), so a cookie planted by a sibling domain
  does not pass.
- Business API key: ``Authorization: Bearer rgk_…``, valid only on its own business.
- The client's address and device, and the signed-in client's context: ``caller.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from aiohttp import web

from regulars.gateway.caller import ClientContext, secure_cookies
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.keys import SETTINGS
from regulars.gateway.paths import path_slug
from regulars.gateway.sessions import SESSION_CACHE, resolve
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot, SessionToken
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Principal
from regulars.shared.settings import Settings

SESSION_COOKIE = "regulars_session"
CSRF_COOKIE = "regulars_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_PREFIX = "rgs_"
API_KEY_PREFIX = "rgk_"


def not_signed_in() -> ApiError:
    return ApiError(401, "not_signed_in", "Sign in to continue.")


def business_slug(request: web.Request) -> str:
    return path_slug(request)


# --- Cookies and CSRF -----------------------------------------------------------------


def csrf_value(settings: Settings, session_token: str) -> str:
    mac = hmac.new(settings.internal_token.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def set_session_cookies(response: web.StreamResponse, settings: Settings, session: SessionToken) -> None:
    """``HttpOnly; SameSite=Lax; Path=/`` (+ ``Secure`` behind https); the CSRF cookie is readable by the widget."""
    max_age = max(0, int((session.expires_at - clock.now()).total_seconds()))
    common = {"path": "/", "samesite": "Lax", "secure": secure_cookies(settings), "max_age": max_age}
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, csrf_value(settings, session.token), httponly=False, **common)  # type: ignore[arg-type]


def clear_session_cookies(response: web.StreamResponse, settings: Settings) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.del_cookie(name, path="/", secure=secure_cookies(settings), samesite="Lax")


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
    resolved = await resolve(
        request.app[SESSION_CACHE], slug, token, lambda: IdentityClient.of(request).resolve_session(slug, token)
    )
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
    business = await IdentityClient.of(request).verify_api_key(key)
    if business.slug != slug:
        raise ApiError(404, "business_not_found", f"No business is called {slug!r}.")
    return business
