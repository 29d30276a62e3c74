"""The business side (API key): settings (R-S1..R-S4), client account status, staff-only pet fields (R-I9).

No endpoint here creates a client account or sets a client's password (R-I4).
"""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.auth import require_business_key
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid
from regulars.shared.contracts import identity as contract
from regulars.shared.http.app import json_response, parse_body

TAG = "business administration"
BASE = "/api/v1/admin/businesses/{business}"
AUTH = {
    401: "invalid_api_key: no key, or not a live key.",
    404: "business_not_found: the key belongs to another business.",
}


async def admin_get_settings(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    return json_response(await IdentityClient.of(request).settings(business))


async def admin_patch_settings(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    patch = await parse_body(request, contract.SettingsPatch)
    return json_response(await IdentityClient.of(request).change_settings(business, patch))


async def admin_find_client(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    email = request.query.get("email", "")
    return json_response(await IdentityClient.of(request).find_client(business, email))


async def admin_get_client(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    account_id = path_uuid(request, "account_id")
    return json_response(await IdentityClient.of(request).client_status(business, account_id))


async def admin_list_client_pets(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    account_id = path_uuid(request, "account_id")
    return json_response(await IdentityClient.of(request).client_pets(business, account_id))


async def admin_patch_client_pet(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    account_id, pet_id = path_uuid(request, "account_id"), path_uuid(request, "pet_id")
    patch = await parse_body(request, contract.StaffPetPatch)
    return json_response(await IdentityClient.of(request).update_client_pet(business, account_id, pet_id, patch))


def register(routes: ApiRoutes) -> None:
    routes.route(
        "GET", BASE + "/settings", summary="Business settings", tag=TAG, response=contract.BusinessSettingsView,
        errors=AUTH,
    )(admin_get_settings)  # fmt: skip
    routes.route(
        "PATCH", BASE + "/settings", summary="Change business settings (emits identity.business.updated.v1)",
        tag=TAG, request=contract.SettingsPatch, response=contract.BusinessSettingsView,
        errors={**AUTH, 422: "A setting is not valid."},
    )(admin_patch_settings)  # fmt: skip
    routes.route(
        "GET", BASE + "/clients", summary="Find a client account by email (?email=)", tag=TAG,
        response=contract.ClientStatus, errors={**AUTH, 400: "email_required.", 404: "No such client account."},
    )(admin_find_client)  # fmt: skip
    routes.route(
        "GET", BASE + "/clients/{account_id}", summary="A client account's status", tag=TAG,
        response=contract.ClientStatus, errors={**AUTH, 404: "No such client account here."},
    )(admin_get_client)  # fmt: skip
    routes.route(
        "GET", BASE + "/clients/{account_id}/pets", summary="A client's pets, with staff-only fields", tag=TAG,
        response=contract.StaffPets, errors={**AUTH, 404: "Not a pet business, or no such client."},
    )(admin_list_client_pets)  # fmt: skip
    routes.route(
        "PATCH", BASE + "/clients/{account_id}/pets/{pet_id}", summary="Set staff-only pet fields (R-I9)", tag=TAG,
        request=contract.StaffPetPatch, response=contract.StaffPet,
        errors={**AUTH, 404: "Not a pet business, or no such client or pet."},
    )(admin_patch_client_pet)  # fmt: skip
