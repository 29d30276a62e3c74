"""The aiohttp base: error shape, validation, internal authentication, health."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, Field

from regulars.shared.http.app import INTERNAL_TOKEN_HEADER, base_app, json_response, parse_body
from regulars.shared.http.errors import ApiError

TOKEN = "unit-test-internal-token"


class Greeting(BaseModel):
    name: str = Field(min_length=1)
    times: int = Field(ge=1, le=3)


async def greet(request: web.Request) -> web.Response:
    body = await parse_body(request, Greeting)
    return json_response({"text": " ".join([f"hello {body.name}"] * body.times)})


async def refuse(_request: web.Request) -> web.Response:
    raise ApiError(409, "already_there", "It is already there.")


async def explode(_request: web.Request) -> web.Response:
    raise RuntimeError("secret database password in a stack trace")


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = base_app(internal_token=TOKEN)
    app.router.add_post("/greet", greet)
    app.router.add_post("/refuse", refuse)
    app.router.add_get("/explode", explode)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


HEADERS = {INTERNAL_TOKEN_HEADER: TOKEN}


async def test_valid_request_is_answered(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/greet", json={"name": "Ana", "times": 2}, headers=HEADERS)
    assert response.status == 200
    assert await response.json() == {"text": "hello Ana hello Ana"}
    assert response.headers["X-Request-ID"]
    assert response.headers["X-Correlation-ID"] == response.headers["X-Request-ID"]


async def test_correlation_id_from_the_caller_is_kept(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post(
        "/greet", json={"name": "Ana", "times": 1}, headers={**HEADERS, "X-Correlation-ID": "abc"}
    )
    assert response.headers["X-Correlation-ID"] == "abc"


async def test_invalid_fields_give_422_with_each_field(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/greet", json={"name": "", "times": 9}, headers=HEADERS)
    body = await response.json()
    assert response.status == 422
    assert body["error"]["code"] == "validation_error"
    assert {f["field"] for f in body["error"]["fields"]} == {"name", "times"}


async def test_malformed_json_gives_400(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/greet", data=b"{not json", headers=HEADERS)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"


async def test_api_error_keeps_its_code(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/refuse", headers=HEADERS)
    assert response.status == 409
    assert await response.json() == {
        "error": {"code": "already_there", "message": "It is already there.", "fields": []}
    }


async def test_unexpected_error_is_a_500_without_details(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/explode", headers=HEADERS)
    text = await response.text()
    assert response.status == 500
    assert "internal_error" in text
    assert "secret" not in text
    assert "Traceback" not in text


async def test_unknown_route_is_a_json_404(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/nowhere", headers=HEADERS)
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


@pytest.mark.parametrize("token", [None, "", "wrong-token-of-some-length"])
async def test_internal_endpoints_need_the_internal_token(
    client: TestClient[web.Request, web.Application], token: str | None
) -> None:
    headers = {} if token is None else {INTERNAL_TOKEN_HEADER: token}
    response = await client.post("/greet", json={"name": "Ana", "times": 1}, headers=headers)
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "internal_auth_required"


async def test_health_and_metrics_are_open(client: TestClient[web.Request, web.Application]) -> None:
    assert (await client.get("/health/live")).status == 200
    ready = await client.get("/health/ready")
    assert ready.status == 200
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    assert "regulars_http_requests_total" in await metrics.text()
