"""The signed-in client's account: ``/api/v1/b/{business}/me…`` (R-I7, R-I8)."""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.auth import clear_session_cookies, require_client
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.keys import SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid
from regulars.gateway.sessions import forget_here
from regulars.shared.contracts import identity as contract
from regulars.shared.http.app import json_response, parse_body

TAG = "client account"
BASE = "/api/v1/b/{business}/me"
AUTH = {
    401: "not_signed_in: no session, or it ended.",
    403: "csrf_failed: a cookie session must send X-CSRF-Token on unsafe requests.",
    404: "The session's account does not belong to this business's client database, or logins are off.",
}
WITH_PASSWORD = {**AUTH, 403: "wrong_password or csrf_failed.", 429: "rate_limited"}


def _signed_out(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    clear_session_cookies(response, request.app[SETTINGS])
    return response


async def get_me(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await IdentityClient.of(request).me(client))


async def patch_me(request: web.Request) -> web.Response:
    client = await require_client(request)
    patch = await parse_body(request, contract.ProfilePatch)
    return json_response(await IdentityClient.of(request).update_me(client, patch))


async def change_email(request: web.Request) -> web.Response:
    client = await require_client(request)
    change = await parse_body(request, contract.EmailChangeRequest)
    return json_response(await IdentityClient.of(request).change_email(client, change), status=202)


async def change_password(request: web.Request) -> web.Response:
    client = await require_client(request)
    change = await parse_body(request, contract.PasswordChangeRequest)
    await IdentityClient.of(request).change_password(client, change)
    forget_here(request, client.account_id)
    return web.Response(status=204)


async def list_sessions(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await IdentityClient.of(request).sessions(client))


async def delete_session(request: web.Request) -> web.Response:
    client = await require_client(request)
    session_id = path_uuid(request, "session_id")
    await IdentityClient.of(request).sign_out_session(client, session_id)
    forget_here(request, client.account_id)
    if session_id == client.session_id and client.via_cookie:
        return _signed_out(request)
    return web.Response(status=204)


async def export_me(request: web.Request) -> web.Response:
    client = await require_client(request)
    response = json_response(await IdentityClient.of(request).export(client))
    response.headers["Content-Disposition"] = 'attachment; filename="my-account.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


async def delete_me(request: web.Request) -> web.Response:
    client = await require_client(request)
    confirmation = await parse_body(request, contract.PasswordConfirmation)
    await IdentityClient.of(request).delete_me(client, confirmation)
    forget_here(request, client.account_id)
    return _signed_out(request)


def register(routes: ApiRoutes) -> None:
    routes.route(
        "GET", BASE, summary="The signed-in client's profile", tag=TAG, response=contract.ClientAccount, errors=AUTH
    )(get_me)  # fmt: skip
    routes.route(
        "PATCH", BASE, summary="Change the profile", tag=TAG, request=contract.ProfilePatch,
        response=contract.ClientAccount, errors={**AUTH, 422: "A field is not valid."},
    )(patch_me)  # fmt: skip
    routes.route(
        "POST", BASE + "/email", summary="Change the email address: a link to the new one, a notice to the old",
        tag=TAG, request=contract.EmailChangeRequest, response=contract.Accepted, status=202,
        errors={**WITH_PASSWORD, 409: "email_unchanged."},
    )(change_email)  # fmt: skip
    routes.route(
        "POST", BASE + "/password", summary="Change the password; other sessions are signed out", tag=TAG,
        request=contract.PasswordChangeRequest, status=204, errors={**WITH_PASSWORD, 422: "Password refused."},
    )(change_password)  # fmt: skip
    routes.route(
        "GET", BASE + "/sessions", summary="Devices signed in", tag=TAG, response=contract.Sessions, errors=AUTH
    )(list_sessions)  # fmt: skip
    routes.route(
        "DELETE", BASE + "/sessions/{session_id}", summary="Sign one device out", tag=TAG, status=204, errors=AUTH
    )(delete_session)  # fmt: skip
    routes.route(
        "GET", BASE + "/export", summary="Everything held about the client, as JSON", tag=TAG,
        response=contract.Export, errors=AUTH,
    )(export_me)  # fmt: skip
    routes.route(
        "DELETE", BASE, summary="Delete the account (password required)", tag=TAG,
        request=contract.PasswordConfirmation, status=204, errors=WITH_PASSWORD,
    )(delete_me)  # fmt: skip
