"""Pet profiles of the signed-in client, on pet businesses (R-I9): ``/api/v1/b/{business}/me/pets…``."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from regulars.gateway.auth import call_identity, require_client
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid
from regulars.gateway.views.me import AUTH, me_path
from regulars.shared.contracts.dates import CalendarDate
from regulars.shared.contracts.identity import Pet
from regulars.shared.http.app import json_response, parse_body

TAG = "client pets"
ERRORS = {**AUTH, 404: "pets_not_offered (not a pet business), or no such pet of this client."}


class PetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    species: str = Field(description="e.g. dog, cat, rabbit")
    breed: str | None = None
    birthday: CalendarDate | None = None
    weight_kg: float | None = None
    notes: str | None = Field(default=None, description="The client's notes for the business.")


class PetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    species: str | None = None
    breed: str | None = None
    birthday: CalendarDate | None = None
    weight_kg: float | None = None
    notes: str | None = None


class Pets(BaseModel):
    pets: list[Pet]


def _pet_path(request: web.Request) -> str:
    return me_path(request, "/pets/{pet_id}", pet_id=path_uuid(request, "pet_id"))


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET", "/api/v1/b/{business}/me/pets", summary="The client's pets", tag=TAG, response=Pets, errors=ERRORS
    )
    async def list_pets(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await call_identity(request, "GET", me_path(request, "/pets"), client=client)
        return json_response(Pets.model_validate(body))

    @routes.route(
        "POST",
        "/api/v1/b/{business}/me/pets",
        summary="Add a pet",
        tag=TAG,
        request=PetRequest,
        response=Pet,
        status=201,
        errors={**ERRORS, 422: "A field is not valid."},
    )
    async def add_pet(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, PetRequest)
        _, body = await call_identity(
            request, "POST", me_path(request, "/pets"), client=client, json=form.model_dump(mode="json")
        )
        return json_response(Pet.model_validate(body), status=201)

    @routes.route(
        "PATCH",
        "/api/v1/b/{business}/me/pets/{pet_id}",
        summary="Change a pet",
        tag=TAG,
        request=PetPatch,
        response=Pet,
        errors={**ERRORS, 422: "A field is not valid."},
    )
    async def patch_pet(request: web.Request) -> web.Response:
        client = await require_client(request)
        form = await parse_body(request, PetPatch)
        _, body = await call_identity(
            request, "PATCH", _pet_path(request), client=client, json=form.model_dump(mode="json", exclude_unset=True)
        )
        return json_response(Pet.model_validate(body))

    @routes.route(
        "DELETE", "/api/v1/b/{business}/me/pets/{pet_id}", summary="Delete a pet", tag=TAG, status=204, errors=ERRORS
    )
    async def delete_pet(request: web.Request) -> web.Response:
        client = await require_client(request)
        await call_identity(request, "DELETE", _pet_path(request), client=client)
        return web.Response(status=204)
