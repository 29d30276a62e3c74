from __future__ import annotations

import pytest
from aiohttp import web
from pydantic import BaseModel

from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import SLUG


class Thing(BaseModel):
    name: str


async def view(_request: web.Request) -> web.Response:
    return web.Response()


def test_every_path_parameter_is_declared_with_its_type_even_inside_a_segment() -> None:
    routes = ApiRoutes()
    routes.route("GET", "/feeds/{business}/{session_id}.ics", summary="feed", tag="t", response=Thing)(view)
    routes.route("POST", "/things/{booking_id:[0-9a-f-]+}", summary="make", tag="t", request=Thing, status=201,
                 errors={404: "none"})(view)  # fmt: skip
    document = routes.openapi("test", "1")
    feed = document["paths"]["/feeds/{business}/{session_id}.ics"]["get"]
    assert [p["name"] for p in feed["parameters"]] == ["business", "session_id"]
    slug, session = (p["schema"] for p in feed["parameters"])
    assert slug == {"type": "string", "pattern": SLUG.pattern}
    assert session["format"] == "uuid"
    assert session["pattern"].startswith("^[0-9a-fA-F]{8}-")
    make = document["paths"]["/things/{booking_id}"]["post"]
    assert [p["name"] for p in make["parameters"]] == ["booking_id"]
    assert set(make["responses"]) == {"201", "400", "404", "405", "413", "422"}  # with those of every body route
    assert make["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert "Thing" in document["components"]["schemas"]
    assert "ErrorResponse" in document["components"]["schemas"]


def test_a_path_parameter_without_a_type_does_not_register() -> None:
    with pytest.raises(ValueError, match="owner"):
        ApiRoutes().route("GET", "/things/{owner}", summary="s", tag="t")(view)
