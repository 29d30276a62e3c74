"""The one reader of request input: JSON depth, text PostgreSQL can store, query strings and headers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel

from regulars.shared.http.app import base_app, json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.input import MAX_JSON_DEPTH, read_json


def refused(raw: bytes | str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        read_json(raw)
    return caught.value


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"first_name": "A\u0000na"}, "first_name", "null_character"),
        ({"first_name": "a\ud800b"}, "first_name", "unpaired_surrogate"),
        ({"client": {"last_name": "x\udfffy"}}, "client.last_name", "unpaired_surrogate"),
        ({"guests": [{"name": "ok"}, {"name": "n\u0000"}]}, "guests.1.name", "null_character"),
        ({"intake_answers": {"q\u0000": "yes"}}, "intake_answers.q\\x00", "null_character"),
        ("\u0000", "body", "null_character"),
    ],
)
def test_text_that_cannot_be_stored_is_422_naming_the_field(body: Any, field: str, code: str) -> None:
    error = refused(json.dumps(body))
    assert (error.status, error.code) == (422, "validation_error")
    assert [(f.field, f.code) for f in error.fields] == [(field, code)]


def test_the_first_bad_field_in_document_order_is_named() -> None:
    error = refused(json.dumps({"a": "fine", "b": ["x\u0000"], "c": "y\u0000"}))
    assert [f.field for f in error.fields] == ["b.0"]


def test_paired_surrogates_and_other_text_are_kept() -> None:
    body = {"name": "Zoë \U0001f600 名前", "note": "tab\tand\nnewline"}
    assert read_json(json.dumps(body)) == body
    assert read_json('"\\ud83d\\ude00"') == "\U0001f600"


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deep_nesting_is_400_invalid_json(opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    assert refused(opening * 10_000 + "1" + closing * 10_000).status == 400
    assert refused(opening * 10_000).code == "invalid_json"
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert read_json(at_limit) is not None
    assert refused("[" + at_limit + "]").code == "invalid_json"


@pytest.mark.parametrize("raw", [b"{not json", b"NaN", b'{"a": Infinity}', b"\xff\xfe", b'{"a": 1e99999999999}x'])
def test_malformed_json_is_400(raw: bytes) -> None:
    error = refused(raw)
    assert (error.status, error.code) == (400, "invalid_json")


def test_an_empty_body_is_an_empty_object() -> None:
    assert read_json(b"") == {}


class Named(BaseModel):
    name: str


async def named(request: web.Request) -> web.Response:
    body = await parse_body(request, Named)
    return json_response({"name": body.name, "q": request.query.get("q", "")})


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = base_app()
    app.router.add_post("/named", named)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_parse_body_refuses_nul_and_depth(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/named", data=json.dumps({"name": "a\u0000"}))
    body = await response.json()
    assert response.status == 422
    assert body["error"]["fields"][0]["field"] == "name"
    response = await client.post("/named", data="[" * 10_000)
    assert (response.status, (await response.json())["error"]["code"]) == (400, "invalid_json")


async def test_query_values_and_names_are_checked(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/named?q=a%00b", json={"name": "Ana"})
    body = await response.json()
    assert response.status == 422
    assert [(f["field"], f["code"]) for f in body["error"]["fields"]] == [("q", "null_character")]
    response = await client.post("/named?q=caf%C3%A9", json={"name": "Ana"})
    assert (response.status, (await response.json())["q"]) == (200, "café")


async def test_headers_with_bytes_that_are_not_utf8_are_422(
    client: TestClient[web.Request, web.Application],
) -> None:
    port = client.server.port
    assert port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"name": "Ana"}'
    writer.write(
        b"POST /named HTTP/1.1\r\nHost: x\r\nUser-Agent: bad \xff agent\r\nX-Correlation-ID: id\xfe\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 422")
    assert json.loads(payload)["error"]["fields"][0]["field"] == "User-Agent"
    # The caller's correlation id was not clean text: a fresh one is echoed instead.
    assert b"X-Correlation-ID: id" not in head


async def test_unknown_routes_stay_404(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/nowhere?q=%00")
    assert response.status == 404
