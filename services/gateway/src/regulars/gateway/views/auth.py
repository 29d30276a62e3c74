"""Sign-up, verification, sign-in, sign-out and recovery: ``/api/v1/b/{business}/auth/…``."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from regulars.gateway.auth import (
    business_slug,
    call_identity,
    check_csrf,
    clear_session_cookies,
    session_secret,
    set_device_cookie,
    set_session_cookies,
)
from regulars.gateway.keys import SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.shared.contracts.dates import CalendarDate
from regulars.shared.contracts.identity import SignedIn
from regulars.shared.http.app import json_response
from regulars.shared.http.errors import ApiError
from regulars.shared.http.input import read_json
from regulars.shared.http.internal import internal_path
from regulars.shared.locale import Locale

TAG = "client sign-in"
DISABLED = "The business has client logins off (code client_logins_disabled), or no such business."
LIMITED = "Too many attempts (code rate_limited)."


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    email: str = Field(max_length=254)
    password: str = Field(description="8 to 128 characters, not among the 10,000 most common passwords.")
    first_name: str
    last_name: str
    phone: str | None = Field(default=None, description="With its country code; stored as E.164.")
    birthday: CalendarDate | None = None
    locale: Locale | None = None
    marketing_opt_in: bool = False


class VerifyRequest(Strict):
    token: str | None = Field(default=None, description="The token of the emailed link.")
    email: str | None = Field(default=None, description="With code: the address the code was sent to.")
    code: str | None = Field(default=None, description="The 6-digit code of the same email.")


class EmailRequest(Strict):
    email: str


class LoginRequest(Strict):
    email: str
    password: str


class ResetRequest(Strict):
    token: str
    password: str


class TokenRequest(Strict):
    token: str


class Accepted(BaseModel):
    status: str = Field(
        description="verification_sent, reset_link_sent or sign_in_link_sent; "
        "the same whether or not an account exists."
    )


class EmailChanged(BaseModel):
    status: Literal["email_changed"]
    email: str


def _path(request: web.Request, tail: str) -> str:
    """``tail`` is a constant of this module (``login``, ``password/forgot``…), never request input."""
    return internal_path("/internal/b/{slug}/auth/" + tail, slug=business_slug(request))


async def _forward(request: web.Request, tail: str, model: type[BaseModel]) -> tuple[int, object]:
    """Pass the JSON body on as sent: identity validates it (``model`` documents it), after
    checking that the business offers client logins, so R-S1's 404 comes before any 422."""
    body = read_json(await request.read())
    return await call_identity(request, "POST", _path(request, tail), json=body)


def _signed_in(request: web.Request, body: object) -> web.Response:
    signed_in = SignedIn.model_validate(body)
    response = json_response(signed_in)
    response.headers["Cache-Control"] = "no-store"  # it carries the session token
    set_session_cookies(response, request.app[SETTINGS], signed_in.session)
    set_device_cookie(response, request)  # this device is now known to the account
    return response


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/register",
        summary="Create an account (a verification email follows)",
        tag=TAG,
        request=RegisterRequest,
        response=Accepted,
        status=202,
        errors={404: DISABLED, 422: "A field is not valid (password too short, too common, phone…).", 429: LIMITED},
    )
    async def auth_register(request: web.Request) -> web.Response:
        _, body = await _forward(request, "register", RegisterRequest)
        return json_response(Accepted.model_validate(body), status=202)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/verify",
        summary="Verify the email address (link token or code) and sign in",
        tag=TAG,
        request=VerifyRequest,
        response=SignedIn,
        errors={400: "token_invalid, token_used, token_expired or code_invalid.", 404: DISABLED, 429: LIMITED},
    )
    async def auth_verify(request: web.Request) -> web.Response:
        _, body = await _forward(request, "verify", VerifyRequest)
        return _signed_in(request, body)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/resend-verification",
        summary="Send the verification email again",
        tag=TAG,
        request=EmailRequest,
        response=Accepted,
        status=202,
        errors={404: DISABLED, 429: LIMITED},
    )
    async def auth_resend_verification(request: web.Request) -> web.Response:
        _, body = await _forward(request, "resend-verification", EmailRequest)
        return json_response(Accepted.model_validate(body), status=202)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/login",
        summary="Sign in with email and password",
        tag=TAG,
        request=LoginRequest,
        response=SignedIn,
        errors={
            401: "invalid_credentials: the same for an unknown email and a wrong password.",
            403: "email_not_verified (only with the right password).",
            404: DISABLED,
            429: "rate_limited (this address or device tried too often), or sign_in_by_email: the email "
            "had 100 failed sign-ins in the last hour, so only devices and addresses that signed in to it "
            "before may try a password; ask for an emailed sign-in link (the same answer for any email).",
        },
    )
    async def auth_login(request: web.Request) -> web.Response:
        _, body = await _forward(request, "login", LoginRequest)
        return _signed_in(request, body)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/sign-in-link",
        summary="Email a one-time sign-in link and code (valid 30 minutes), the way in without the password",
        tag=TAG,
        request=EmailRequest,
        response=Accepted,
        status=202,
        errors={404: DISABLED, 429: LIMITED},
    )
    async def auth_sign_in_link(request: web.Request) -> web.Response:
        _, body = await _forward(request, "sign-in-link", EmailRequest)
        return json_response(Accepted.model_validate(body), status=202)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/sign-in-link/redeem",
        summary="Sign in with the emailed sign-in link's token, or the email and its code",
        tag=TAG,
        request=VerifyRequest,
        response=SignedIn,
        errors={400: "token_invalid, token_used, token_expired or code_invalid.", 404: DISABLED, 429: LIMITED},
    )
    async def auth_sign_in_link_redeem(request: web.Request) -> web.Response:
        _, body = await _forward(request, "sign-in-link/redeem", VerifyRequest)
        return _signed_in(request, body)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/logout",
        summary="Sign out: the session stops working at once",
        tag=TAG,
        status=204,
        errors={403: "csrf_failed (cookie session without X-CSRF-Token).", 404: DISABLED},
        auth="optional_client",
    )
    async def auth_logout(request: web.Request) -> web.Response:
        token, via_cookie = session_secret(request)
        if token:
            if via_cookie:
                check_csrf(request, token)
            try:
                await call_identity(request, "POST", _path(request, "logout"), json={"token": token})
            except ApiError as exc:
                if exc.status != 401:  # an already dead session is signed out all the same
                    raise
        response = web.Response(status=204)
        clear_session_cookies(response, request.app[SETTINGS])
        return response

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/password/forgot",
        summary="Email a password reset link (valid 1 hour)",
        tag=TAG,
        request=EmailRequest,
        response=Accepted,
        status=202,
        errors={404: DISABLED, 429: LIMITED},
    )
    async def auth_password_forgot(request: web.Request) -> web.Response:
        _, body = await _forward(request, "password/forgot", EmailRequest)
        return json_response(Accepted.model_validate(body), status=202)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/password/reset",
        summary="Set a new password from a reset link; every session is signed out",
        tag=TAG,
        request=ResetRequest,
        status=204,
        errors={
            400: "token_invalid, token_used or token_expired.",
            404: DISABLED,
            422: "Password refused.",
            429: LIMITED,
        },
    )
    async def auth_password_reset(request: web.Request) -> web.Response:
        await _forward(request, "password/reset", ResetRequest)
        response = web.Response(status=204)
        clear_session_cookies(response, request.app[SETTINGS])
        return response

    @routes.route(
        "POST",
        "/api/v1/b/{business}/auth/confirm-email",
        summary="Apply a new email address from its link",
        tag=TAG,
        request=TokenRequest,
        response=EmailChanged,
        errors={
            400: "token_invalid, token_used or token_expired.",
            404: DISABLED,
            409: "email_taken: another account took the address meanwhile.",
            429: LIMITED,
        },
    )
    async def auth_confirm_email(request: web.Request) -> web.Response:
        _, body = await _forward(request, "confirm-email", TokenRequest)
        return json_response(EmailChanged.model_validate(body))
