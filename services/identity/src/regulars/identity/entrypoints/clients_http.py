"""Identity's internal HTTP API for client accounts and staff (called by the gateway only).

The gateway passes the client's address and device in ``X-Client-IP``,
``X-Client-User-Agent`` and ``X-Client-Device`` (its signed device cookie's id), and
for a signed-in client the principal headers plus ``X-Principal-Session``. Identity
re-checks the account against the business of the path on every call. Client routes
answer only a client principal, staff routes only a business principal
(``Audience``); sign-up and sign-in need none.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.domain.accounts import ProfileChanges, Registration
from regulars.identity.domain.errors import BusinessNotFound, NoSuch
from regulars.identity.service_layer import auth, pets, profile, staff
from regulars.identity.service_layer.businesses import get_business_by_slug
from regulars.identity.service_layer.clients import Caller, Identity, business_for_clients
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, add_internal_routes, principal_of
from regulars.shared.service import ENGINE, SETTINGS

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
IDENTITY = web.AppKey("identity", Identity)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")

CLIENT_IP_HEADER = "X-Client-IP"
CLIENT_AGENT_HEADER = "X-Client-User-Agent"
CLIENT_DEVICE_HEADER = "X-Client-Device"  # the device id of the gateway's signed device cookie
SESSION_HEADER = "X-Principal-Session"


class SessionSecret(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)


def _now(request: web.Request) -> datetime:
    return request.app[CLOCK]()


def _caller(request: web.Request) -> Caller:
    return Caller(
        ip=request.headers.get(CLIENT_IP_HEADER) or None,
        user_agent=request.headers.get(CLIENT_AGENT_HEADER) or None,
        device_id=(request.headers.get(CLIENT_DEVICE_HEADER) or "")[:64] or None,
    )


def _uuid(request: web.Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        raise NoSuch(what) from exc


def _ident(request: web.Request) -> Identity:
    return request.app[IDENTITY]


def _slug(request: web.Request) -> str:
    return request.match_info["slug"]


async def _open(request: web.Request, model: type[M]) -> tuple[BusinessSnapshot, M]:
    """The business and the body, read only once the business is known to offer client logins
    (R-S1: its 404 comes before any 422)."""
    async with request.app[ENGINE].connect() as conn:
        business = await business_for_clients(conn, _slug(request))
    return business, await parse_body(request, model)


async def _step(
    request: web.Request,
    model: type[M],
    use_case: Callable[[Identity, BusinessSnapshot, M, Caller, datetime], Awaitable[R]],
) -> R:
    """A sign-up, sign-in or recovery step: the business and the body (``_open``), then the use case
    with the caller and the clock."""
    business, body = await _open(request, model)
    return await use_case(_ident(request), business, body, _caller(request), _now(request))


def _accepted(status: str) -> web.Response:
    return json_response({"status": status}, status=202)


# --- Sign-up, sign-in, recovery ------------------------------------------------------


async def register(request: web.Request) -> web.Response:
    await _step(request, Registration, auth.register)
    return _accepted("verification_sent")


async def verify(request: web.Request) -> web.Response:
    return json_response(await _step(request, auth.Verification, auth.verify_email))


async def resend(request: web.Request) -> web.Response:
    await _step(request, auth.EmailOnly, auth.resend_verification)
    return _accepted("verification_sent")


async def login(request: web.Request) -> web.Response:
    return json_response(await _step(request, auth.Credentials, auth.login))


async def sign_in_link(request: web.Request) -> web.Response:
    await _step(request, auth.EmailOnly, auth.request_sign_in_link)
    return _accepted("sign_in_link_sent")


async def sign_in_link_redeem(request: web.Request) -> web.Response:
    return json_response(await _step(request, auth.Verification, auth.sign_in_with_link))


async def logout(request: web.Request) -> web.Response:
    business, form = await _open(request, SessionSecret)
    await auth.logout(_ident(request), business, form.token, _now(request))
    return web.Response(status=204)


async def resolve_session(request: web.Request) -> web.Response:
    business, form = await _open(request, SessionSecret)
    return json_response(await auth.resolve_session(_ident(request), business, form.token, _now(request)))


async def forgot(request: web.Request) -> web.Response:
    business, form = await _open(request, auth.EmailOnly)
    await auth.forgot_password(_ident(request), business, form.email, _caller(request), _now(request))
    return _accepted("reset_link_sent")


async def reset(request: web.Request) -> web.Response:
    business, form = await _open(request, auth.PasswordReset)
    await auth.reset_password(_ident(request), business, form, _caller(request), _now(request))
    return web.Response(status=204)


async def confirm_email(request: web.Request) -> web.Response:
    business, form = await _open(request, auth.TokenOnly)
    email = await auth.confirm_email_change(_ident(request), business, form.token, _caller(request), _now(request))
    return json_response({"status": "email_changed", "email": email})


# --- The signed-in client --------------------------------------------------------------


async def _me(request: web.Request) -> profile.Me:
    session = request.headers.get(SESSION_HEADER)
    try:
        session_id = uuid.UUID(session) if session else None
    except ValueError as exc:
        raise ApiError(400, "bad_principal", f"{SESSION_HEADER} is not a UUID.") from exc
    principal = principal_of(request)
    return await profile.whoami(
        _ident(request), _slug(request), principal.business_id, principal.account_id, session_id
    )


async def get_me(request: web.Request) -> web.Response:
    return json_response(await profile.get_profile(_ident(request), await _me(request)))


async def patch_me(request: web.Request) -> web.Response:
    me = await _me(request)
    changes = await parse_body(request, ProfileChanges)
    return json_response(await profile.update_profile(_ident(request), me, changes, _now(request)))


async def change_email(request: web.Request) -> web.Response:
    me = await _me(request)
    form = await parse_body(request, profile.EmailChange)
    await profile.request_email_change(_ident(request), me, form, _now(request))
    return _accepted("verification_sent")


async def change_password(request: web.Request) -> web.Response:
    me = await _me(request)
    form = await parse_body(request, profile.PasswordChange)
    await profile.change_password(_ident(request), me, form, _now(request))
    return web.Response(status=204)


async def list_sessions(request: web.Request) -> web.Response:
    me = await _me(request)
    sessions = await profile.list_sessions(_ident(request), me, _now(request))
    return json_response({"sessions": [s.model_dump(mode="json") for s in sessions]})


async def delete_session(request: web.Request) -> web.Response:
    me = await _me(request)
    await profile.sign_out_session(_ident(request), me, _uuid(request, "session_id", "Session"), _now(request))
    return web.Response(status=204)


async def export(request: web.Request) -> web.Response:
    me = await _me(request)
    return json_response(await profile.export_account(_ident(request), me, _now(request)))


async def delete_me(request: web.Request) -> web.Response:
    me = await _me(request)
    form = await parse_body(request, profile.PasswordConfirmation)
    await profile.delete_account(_ident(request), me, form, _now(request))
    return web.Response(status=204)


async def list_pets(request: web.Request) -> web.Response:
    found = await pets.list_pets(_ident(request), await _me(request))
    return json_response({"pets": [p.model_dump(mode="json") for p in found]})


async def add_pet(request: web.Request) -> web.Response:
    me = await _me(request)
    pets.require_pet_business(me.business)
    form = await parse_body(request, pets.PetForm)
    return json_response(await pets.add_pet(_ident(request), me, form, _now(request)), status=201)


async def patch_pet(request: web.Request) -> web.Response:
    me = await _me(request)
    pets.require_pet_business(me.business)
    changes = await parse_body(request, pets.PetChanges)
    pet_id = _uuid(request, "pet_id", "Pet")
    return json_response(await pets.update_pet(_ident(request), me, pet_id, changes, _now(request)))


async def delete_pet(request: web.Request) -> web.Response:
    me = await _me(request)
    await pets.delete_pet(_ident(request), me, _uuid(request, "pet_id", "Pet"))
    return web.Response(status=204)


# --- Staff, through a business API key ---------------------------------------------------


async def _staff_business(request: web.Request) -> BusinessSnapshot:
    """The business of the path, which must be the one the API key belongs to."""
    principal = principal_of(request)
    async with request.app[ENGINE].connect() as conn:
        business = await get_business_by_slug(conn, _slug(request))
    if principal.business_id != business.business_id:
        raise BusinessNotFound(business.slug)
    return business


async def get_settings(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    return json_response(await staff.get_settings(_ident(request), business.slug))


async def patch_settings(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    changes = await parse_body(request, staff.SettingsChanges)
    return json_response(await staff.change_settings(_ident(request), business.slug, changes))


async def find_client(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    email = request.query.get("email")
    if not email:
        raise ApiError(400, "email_required", "Ask with ?email=<address>.")
    return json_response(await staff.client_status(_ident(request), business.slug, account_id=None, email=email))


async def get_client(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    account_id = _uuid(request, "account_id", "Client account")
    return json_response(await staff.client_status(_ident(request), business.slug, account_id=account_id, email=None))


async def staff_list_pets(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    account_id = _uuid(request, "account_id", "Client account")
    found = await pets.staff_list_pets(_ident(request), business, account_id)
    return json_response({"pets": [p.model_dump(mode="json") for p in found]})


async def staff_patch_pet(request: web.Request) -> web.Response:
    business = await _staff_business(request)
    account_id = _uuid(request, "account_id", "Client account")
    pet_id = _uuid(request, "pet_id", "Pet")
    changes = await parse_body(request, pets.StaffPetChanges)
    return json_response(
        await pets.staff_update_pet(_ident(request), business, account_id, pet_id, changes, _now(request))
    )


def setup_client_routes(app: web.Application) -> None:
    app[CLOCK] = clock.now

    async def identity(app: web.Application) -> Any:
        settings = app[SETTINGS]
        hashing = PasswordHashing.from_settings(settings)
        app[IDENTITY] = Identity(
            engine=app[ENGINE], hashing=hashing, public_url=settings.public_url, session_days=settings.session_days
        )
        yield
        hashing.close()

    app.cleanup_ctx.append(identity)
    base = "/internal/b/{slug}"
    # Before anyone is signed in: the business of the path, and the secret in the body.
    signing_in: list[tuple[str, str, Any]] = [
        ("POST", "/auth/register", register),
        ("POST", "/auth/verify", verify),
        ("POST", "/auth/resend-verification", resend),
        ("POST", "/auth/login", login),
        ("POST", "/auth/sign-in-link", sign_in_link),
        ("POST", "/auth/sign-in-link/redeem", sign_in_link_redeem),
        ("POST", "/auth/logout", logout),
        ("POST", "/auth/password/forgot", forgot),
        ("POST", "/auth/password/reset", reset),
        ("POST", "/auth/confirm-email", confirm_email),
        ("POST", "/sessions/resolve", resolve_session),
    ]
    add_internal_routes(app.router, Audience.OPEN, [(m, base + path, h) for m, path, h in signing_in])
    signed_in: list[tuple[str, str, Any]] = [
        ("GET", "/me", get_me),
        ("PATCH", "/me", patch_me),
        ("DELETE", "/me", delete_me),
        ("POST", "/me/email", change_email),
        ("POST", "/me/password", change_password),
        ("GET", "/me/sessions", list_sessions),
        ("DELETE", "/me/sessions/{session_id}", delete_session),
        ("GET", "/me/export", export),
        ("GET", "/me/pets", list_pets),
        ("POST", "/me/pets", add_pet),
        ("PATCH", "/me/pets/{pet_id}", patch_pet),
        ("DELETE", "/me/pets/{pet_id}", delete_pet),
    ]
    add_internal_routes(app.router, Audience.CLIENT, [(m, base + path, h) for m, path, h in signed_in])
    admin = "/internal/admin/b/{slug}"
    add_internal_routes(app.router, Audience.STAFF, [
        ("GET", admin + "/settings", get_settings),
        ("PATCH", admin + "/settings", patch_settings),
        ("GET", admin + "/clients", find_client),
        ("GET", admin + "/clients/{account_id}", get_client),
        ("GET", admin + "/clients/{account_id}/pets", staff_list_pets),
        ("PATCH", admin + "/clients/{account_id}/pets/{pet_id}", staff_patch_pet),
    ])  # fmt: skip
