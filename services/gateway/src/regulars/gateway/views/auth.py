"""Sign-up, verification, sign-in, sign-out and recovery: ``/api/v1/b/{business}/auth/…``.

The bodies pass to identity as they came (``Json``): identity checks that the business offers
client logins before it reads their fields (R-S1: its 404 comes before any 422); the route
table at the end documents each with its contract model.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from regulars.gateway.auth import (
    business_slug,
    check_csrf,
    clear_session_cookies,
    session_secret,
    set_session_cookies,
)
from regulars.gateway.caller import set_device_cookie
from regulars.gateway.clients.base import Json
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.keys import SETTINGS
from regulars.gateway.openapi import ApiRoutes, ViewHandler
from regulars.gateway.sessions import forget_here, forget_token_here
from regulars.shared.contracts import identity as contract
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError

T = TypeVar("T")
TAG = "client sign-in"
DISABLED = "The business has client logins off (code client_logins_disabled), or no such business."
LIMITED = "Too many attempts (code rate_limited)."
TOKEN_REFUSED = "token_invalid, token_used or token_expired."


async def _flow(request: web.Request, step: Callable[[IdentityClient, str, Json], Awaitable[T]]) -> T:
    """``step`` of identity (``IdentityClient.login``…) for this caller, on the business of the path,
    with the body as it came."""
    return await step(IdentityClient.of(request), business_slug(request), await parse_body(request, Json))


def _accepted(accepted: contract.Accepted) -> web.Response:
    return json_response(accepted, status=202)


def _signed_in(request: web.Request, signed_in: contract.SignedIn) -> web.Response:
    response = json_response(signed_in)
    response.headers["Cache-Control"] = "no-store"  # it carries the session token
    set_session_cookies(response, request.app[SETTINGS], signed_in.session)
    set_device_cookie(response, request)  # this device is now known to the account
    return response


def _signed_out(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    clear_session_cookies(response, request.app[SETTINGS])
    return response


async def auth_register(request: web.Request) -> web.Response:
    return _accepted(await _flow(request, IdentityClient.register))


async def auth_verify(request: web.Request) -> web.Response:
    return _signed_in(request, await _flow(request, IdentityClient.verify))


async def auth_resend_verification(request: web.Request) -> web.Response:
    return _accepted(await _flow(request, IdentityClient.resend_verification))


async def auth_login(request: web.Request) -> web.Response:
    return _signed_in(request, await _flow(request, IdentityClient.login))


async def auth_sign_in_link(request: web.Request) -> web.Response:
    return _accepted(await _flow(request, IdentityClient.send_sign_in_link))


async def auth_sign_in_link_redeem(request: web.Request) -> web.Response:
    return _signed_in(request, await _flow(request, IdentityClient.redeem_sign_in_link))


async def auth_password_forgot(request: web.Request) -> web.Response:
    return _accepted(await _flow(request, IdentityClient.forgot_password))


async def auth_password_reset(request: web.Request) -> web.Response:
    await _flow(request, IdentityClient.reset_password)
    forget_here(request)
    return _signed_out(request)


async def auth_confirm_email(request: web.Request) -> web.Response:
    return json_response(await _flow(request, IdentityClient.confirm_email))


async def auth_logout(request: web.Request) -> web.Response:
    token, via_cookie = session_secret(request)
    if token:
        if via_cookie:
            check_csrf(request, token)
        try:
            await IdentityClient.of(request).logout(business_slug(request), token)
        except ApiError as exc:
            if exc.status != 401:  # an already dead session is signed out all the same
                raise
        forget_token_here(request, business_slug(request), token)
    return _signed_out(request)


# path under /auth, handler, summary, request, answer, status, errors
FLOWS: list[tuple[str, ViewHandler, str, type[BaseModel] | None, type[BaseModel] | None, int, dict[int, str]]] = [
    ("/register", auth_register, "Create an account (a verification email follows)",
     contract.RegisterRequest, contract.Accepted, 202,
     {404: DISABLED, 422: "A field is not valid (password too short, too common, phone…).", 429: LIMITED}),
    ("/verify", auth_verify, "Verify the email address (link token or code) and sign in",
     contract.VerifyRequest, contract.SignedIn, 200,
     {400: "token_invalid, token_used, token_expired or code_invalid.", 404: DISABLED, 429: LIMITED}),
    ("/resend-verification", auth_resend_verification, "Send the verification email again",
     contract.EmailRequest, contract.Accepted, 202, {404: DISABLED, 429: LIMITED}),
    ("/login", auth_login, "Sign in with email and password", contract.LoginRequest, contract.SignedIn, 200, {
        401: "invalid_credentials: the same for an unknown email and a wrong password.",
        403: "email_not_verified (only with the right password).",
        404: DISABLED,
        429: "rate_limited (this address or device tried too often), or sign_in_by_email: the email "
        "had 100 failed sign-ins in the last hour, so only devices and addresses that signed in to it "
        "before may try a password; ask for an emailed sign-in link (the same answer for any email).",
    }),
    ("/sign-in-link", auth_sign_in_link,
     "Email a one-time sign-in link and code (valid 30 minutes), the way in without the password",
     contract.EmailRequest, contract.Accepted, 202, {404: DISABLED, 429: LIMITED}),
    ("/sign-in-link/redeem", auth_sign_in_link_redeem,
     "Sign in with the emailed sign-in link's token, or the email and its code",
     contract.VerifyRequest, contract.SignedIn, 200,
     {400: "token_invalid, token_used, token_expired or code_invalid.", 404: DISABLED, 429: LIMITED}),
    ("/password/forgot", auth_password_forgot, "Email a password reset link (valid 1 hour)",
     contract.EmailRequest, contract.Accepted, 202, {404: DISABLED, 429: LIMITED}),
    ("/password/reset", auth_password_reset, "Set a new password from a reset link; every session is signed out",
     contract.ResetRequest, None, 204, {400: TOKEN_REFUSED, 404: DISABLED, 422: "Password refused.", 429: LIMITED}),
    ("/confirm-email", auth_confirm_email, "Apply a new email address from its link",
     contract.TokenRequest, contract.EmailChanged, 200, {
        400: TOKEN_REFUSED, 404: DISABLED, 409: "email_taken: another account took the address meanwhile.",
        429: LIMITED,
    }),
]  # fmt: skip


def register(routes: ApiRoutes) -> None:
    for tail, handler, summary, request, answer, status, errors in FLOWS:
        routes.route(
            "POST", "/api/v1/b/{business}/auth" + tail, summary=summary, tag=TAG,
            request=request, response=answer, status=status, errors=errors,
        )(handler)  # fmt: skip
    routes.route(
        "POST", "/api/v1/b/{business}/auth/logout", summary="Sign out: the session stops working at once", tag=TAG,
        status=204, errors={403: "csrf_failed (cookie session without X-CSRF-Token).", 404: DISABLED},
        auth="optional_client",
    )(auth_logout)  # fmt: skip
