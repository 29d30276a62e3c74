"""The signed-in client's account: ``/api/v1/b/{business}/me…`` (R-I7, R-I8)."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from regulars.gateway.auth import call_identity, clear_session_cookies, require_client
from regulars.gateway.keys import SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_slug, path_uuid
from regulars.shared.contracts.dates import CalendarDate
from regulars.shared.contracts.identity import Address, ClientAccount, ClientSession
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.internal import internal_path
from regulars.shared.locale import Locale

TAG = "client account"
AUTH = {
    401: "not_signed_in: no session, or it ended.",
    403: "csrf_failed: a cookie session must send X-CSRF-Token on unsafe requests.",
    404: "The session's account does not belong to this business's client database, or logins are off.",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfilePatch(Strict):
    """Only the fields sent change; null clears phone, birthday or address."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = Field(default=None, description="With its country code; stored as E.164.")
    birthday: CalendarDate | None = None
    address: Address | None = None
    locale: Locale | None = None
    marketing_opt_in: bool | None = None


class EmailChangeRequest(Strict):
    new_email: str
    password: str


class PasswordChangeRequest(Strict):
    current_password: str
    new_password: str


class PasswordConfirmation(Strict):
    password: str


class Accepted(BaseModel):
    status: str


class Sessions(BaseModel):
    sessions: list[ClientSession]


class Export(BaseModel):
    """Everything identity holds about the client (account, sessions, emailed links, pets)."""

    model_config = ConfigDict(extra="allow")
    exported_at: str
    account: dict[str, Any]
    sessions: list[dict[str, Any]]
    emailed_links: list[dict[str, Any]]
    pets: list[dict[str, Any]]


def me_path(request: web.Request, tail: str = "", **values: uuid.UUID) -> str:
    """Identity's path for the client of this business; ``tail`` is a constant template of ``values``."""
    return internal_path("/internal/b/{slug}/me" + tail, slug=path_slug(request), **values)


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET",
        "/api/v1/b/{business}/me",
        summary="The signed-in client's profile",
        tag=TAG,
        response=ClientAccount,
        errors=AUTH,
    )
    async def get_me(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await call_identity(request, "GET", me_path(request), client=client)
        return json_response(ClientAccount.model_validate(body))

    @routes.route(
        "PATCH",
        "/api/v1/b/{business}/me",
        summary="Change the profile",
        tag=TAG,
        request=ProfilePatch,
        response=ClientAccount,
        errors={**AUTH, 422: "A field is not valid."},
    )
    async def patch_me(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, ProfilePatch)
        _, body = await call_identity(
            request, "PATCH", me_path(request), client=client, json=form.model_dump(mode="json", exclude_unset=True)
        )
        return json_response(ClientAccount.model_validate(body))

    @routes.route(
        "POST",
        "/api/v1/b/{business}/me/email",
        summary="Change the email address: a link to the new one, a notice to the old",
        tag=TAG,
        request=EmailChangeRequest,
        response=Accepted,
        status=202,
        errors={**AUTH, 403: "wrong_password or csrf_failed.", 409: "email_unchanged.", 429: "rate_limited"},
    )
    async def change_email(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, EmailChangeRequest)
        _, body = await call_identity(
            request, "POST", me_path(request, "/email"), client=client, json=form.model_dump()
        )
        return json_response(Accepted.model_validate(body), status=202)

    @routes.route(
        "POST",
        "/api/v1/b/{business}/me/password",
        summary="Change the password; other sessions are signed out",
        tag=TAG,
        request=PasswordChangeRequest,
        status=204,
        errors={**AUTH, 403: "wrong_password or csrf_failed.", 422: "Password refused.", 429: "rate_limited"},
    )
    async def change_password(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, PasswordChangeRequest)
        await call_identity(request, "POST", me_path(request, "/password"), client=client, json=form.model_dump())
        return web.Response(status=204)

    @routes.route(
        "GET", "/api/v1/b/{business}/me/sessions", summary="Devices signed in", tag=TAG, response=Sessions, errors=AUTH
    )
    async def list_sessions(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await call_identity(request, "GET", me_path(request, "/sessions"), client=client)
        return json_response(Sessions.model_validate(body))

    @routes.route(
        "DELETE",
        "/api/v1/b/{business}/me/sessions/{session_id}",
        summary="Sign one device out",
        tag=TAG,
        status=204,
        errors=AUTH,
    )
    async def delete_session(request: web.Request) -> web.Response:
        client = await require_client(request)
        session_id = path_uuid(request, "session_id")
        await call_identity(
            request, "DELETE", me_path(request, "/sessions/{session_id}", session_id=session_id), client=client
        )
        response = web.Response(status=204)
        if session_id == client.session_id and client.via_cookie:
            clear_session_cookies(response, request.app[SETTINGS])
        return response

    @routes.route(
        "GET",
        "/api/v1/b/{business}/me/export",
        summary="Everything held about the client, as JSON",
        tag=TAG,
        response=Export,
        errors=AUTH,
    )
    async def export_me(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await call_identity(request, "GET", me_path(request, "/export"), client=client)
        response = json_response(body)
        response.headers["Content-Disposition"] = 'attachment; filename="my-account.json"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @routes.route(
        "DELETE",
        "/api/v1/b/{business}/me",
        summary="Delete the account (password required)",
        tag=TAG,
        request=PasswordConfirmation,
        status=204,
        errors={**AUTH, 403: "wrong_password or csrf_failed.", 429: "rate_limited"},
    )
    async def delete_me(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, PasswordConfirmation)
        await call_identity(request, "DELETE", me_path(request), client=client, json=form.model_dump())
        response = web.Response(status=204)
        clear_session_cookies(response, request.app[SETTINGS])
        return response
