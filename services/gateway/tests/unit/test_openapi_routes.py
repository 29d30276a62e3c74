from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from regulars.gateway.openapi import ApiRoutes


class Thing(BaseModel):
    name: str


async def view(_request: web.Request) -> web.Response:
    return web.Response()


def test_every_path_parameter_is_declared_even_inside_a_segment() -> None:
    routes = ApiRoutes()
    routes.route("GET", "/feeds/{owner}/{feed}.ics", summary="feed", tag="t", response=Thing)(view)
    routes.route("POST", "/things/{thing_id:[0-9]+}", summary="make", tag="t", request=Thing, status=201,
                 errors={404: "none"})(view)  # fmt: skip
    document = routes.openapi("test", "1")
    feed = document["paths"]["/feeds/{owner}/{feed}.ics"]["get"]
    assert [p["name"] for p in feed["parameters"]] == ["owner", "feed"]
    make = document["paths"]["/things/{thing_id}"]["post"]
    assert [p["name"] for p in make["parameters"]] == ["thing_id"]
    assert set(make["responses"]) == {"201", "404"}
    assert make["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert "Thing" in document["components"]["schemas"]
    assert "ErrorResponse" in document["components"]["schemas"]
