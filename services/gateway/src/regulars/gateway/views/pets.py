"""Pet profiles of the signed-in client, on pet businesses (R-I9): ``/api/v1/b/{business}/me/pets…``."""

from __future__ import annotations

from aiohttp import web

from regulars.gateway.auth import require_client
from regulars.gateway.clients.identity import IdentityClient
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid
from regulars.gateway.views.me import AUTH
from regulars.shared.contracts import identity as contract
from regulars.shared.http.app import json_response, parse_body

TAG = "client pets"
PETS = "/api/v1/b/{business}/me/pets"
ERRORS = {**AUTH, 404: "pets_not_offered (not a pet business), or no such pet of this client."}
INVALID = {**ERRORS, 422: "A field is not valid."}


async def list_pets(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await IdentityClient.of(request).pets(client))


async def add_pet(request: web.Request) -> web.Response:
    client = await require_client(request)
    pet = await parse_body(request, contract.PetRequest)
    return json_response(await IdentityClient.of(request).add_pet(client, pet), status=201)


async def patch_pet(request: web.Request) -> web.Response:
    client = await require_client(request)
    patch = await parse_body(request, contract.PetPatch)
    pet_id = path_uuid(request, "pet_id")
    return json_response(await IdentityClient.of(request).update_pet(client, pet_id, patch))


async def delete_pet(request: web.Request) -> web.Response:
    client = await require_client(request)
    await IdentityClient.of(request).delete_pet(client, path_uuid(request, "pet_id"))
    return web.Response(status=204)


def register(routes: ApiRoutes) -> None:
    routes.route("GET", PETS, summary="The client's pets", tag=TAG, response=contract.Pets, errors=ERRORS)(list_pets)
    routes.route(
        "POST", PETS, summary="Add a pet", tag=TAG, request=contract.PetRequest, response=contract.Pet, status=201,
        errors=INVALID,
    )(add_pet)  # fmt: skip
    routes.route(
        "PATCH", PETS + "/{pet_id}", summary="Change a pet", tag=TAG, request=contract.PetPatch,
        response=contract.Pet, errors=INVALID,
    )(patch_pet)  # fmt: skip
    routes.route("DELETE", PETS + "/{pet_id}", summary="Delete a pet", tag=TAG, status=204, errors=ERRORS)(delete_pet)
