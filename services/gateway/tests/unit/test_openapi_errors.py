"""The document lists every 4xx an operation can give and who may call it."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from openapi_spec_validator import validate
from pydantic import BaseModel

from regulars.gateway.app import openapi_document
from regulars.gateway.auth import SESSION_COOKIE
from regulars.gateway.openapi import ApiRoutes


class Thing(BaseModel):
    name: str


async def view(_request: web.Request) -> web.Response:
    return web.Response()


def _document() -> dict[str, Any]:
    routes = ApiRoutes()
    routes.route("GET", "/api/v1/b/{business}", summary="open", tag="t", response=Thing)(view)
    routes.route("PATCH", "/api/v1/b/{business}/me", summary="mine", tag="t", request=Thing,
                 errors={422: "A field is not valid.", 429: "rate_limited"})(view)  # fmt: skip
    routes.route("POST", "/api/v1/admin/businesses/{business}/things", summary="staff", tag="t", request=Thing,
                 errors={400: "token_invalid"})(view)  # fmt: skip
    routes.route("POST", "/api/v1/b/{business}/bookings", summary="either", tag="t", auth="optional_client")(view)
    return routes.openapi("test", "1")


def test_common_errors_are_added_to_what_each_route_declares() -> None:
    paths = _document()["paths"]
    assert set(paths["/api/v1/b/{business}"]["get"]["responses"]) == {"200", "404", "405", "422"}
    mine = paths["/api/v1/b/{business}/me"]["patch"]["responses"]
    assert set(mine) == {"200", "400", "401", "404", "405", "413", "422", "429"}
    assert mine["422"]["description"].startswith("A field is not valid; validation_error")
    assert "Retry-After" in mine["429"]["description"]
    staff = paths["/api/v1/admin/businesses/{business}/things"]["post"]["responses"]
    assert "token_invalid" in staff["400"]["description"]
    assert "invalid_json" in staff["400"]["description"]
    for operation in (mine, staff):
        for status in ("400", "401", "405", "413", "422"):
            assert operation[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorResponse"
            }


def test_each_operation_names_its_credentials() -> None:
    document = _document()
    paths = document["paths"]
    assert paths["/api/v1/b/{business}"]["get"]["security"] == []
    assert paths["/api/v1/b/{business}/me"]["patch"]["security"] == [{"session": []}, {"sessionCookie": []}]
    assert paths["/api/v1/admin/businesses/{business}/things"]["post"]["security"] == [{"businessApiKey": []}]
    assert paths["/api/v1/b/{business}/bookings"]["post"]["security"] == [{}, {"session": []}, {"sessionCookie": []}]
    schemes = document["components"]["securitySchemes"]
    assert schemes["sessionCookie"] == schemes["sessionCookie"] | {"type": "apiKey", "in": "cookie",
                                                                   "name": SESSION_COOKIE}  # fmt: skip
    assert (schemes["session"]["type"], schemes["session"]["scheme"]) == ("http", "bearer")
    assert schemes["businessApiKey"]["bearerFormat"].startswith("rgk_")


def test_the_real_document_is_valid_and_every_operation_has_security_and_422() -> None:
    document = openapi_document()
    validate(document)  # type: ignore[arg-type]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "security" in operation, (method, path)
            assert {"405", "422"} <= set(operation["responses"]), (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(operation["responses"]), (method, path)
