"""What a request may carry, checked once for every model: JSON of bounded depth, and text that
PostgreSQL can store (no NUL character, no unpaired surrogate).

PostgreSQL refuses ``\\u0000`` in text and jsonb, and an unpaired surrogate cannot be encoded as
UTF-8, so either would fail at the database (a 503) after part of the work was done. Every body,
query string and header a service reads goes through here first and is refused with 422 naming
the field, the same shape as pydantic's errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from regulars.shared import context
from regulars.shared.http.errors import ApiError, FieldError, invalid

MAX_JSON_DEPTH = 32
"""Objects and arrays nested deeper than this are refused: no model of ours needs more than a few
levels, and the decoder and the validators recurse (10,000 levels was a RecursionError, a 500)."""

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# Cookies: read only through the parser for our own names, and shared with any other site on the host.
# The ids: replaced by fresh ones when not clean (``clean_header``), since they are ours, not the caller's data.
_UNCHECKED_HEADERS = frozenset({"cookie", context.REQUEST_ID_HEADER.lower(), context.CORRELATION_ID_HEADER.lower()})


def invalid_json() -> ApiError:
    return ApiError(
        400, "invalid_json", f"The request body is not valid JSON (or is nested deeper than {MAX_JSON_DEPTH} levels)."
    )


def text_error(field: str, value: str) -> FieldError | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return FieldError(field=field, code="null_character", message="Text cannot contain the NUL character.")
    return FieldError(field=field, code="unpaired_surrogate", message="Text contains an unpaired surrogate.")


def _name(part: object) -> str:
    # A key is shown escaped (it may itself hold the NUL) and short (it is echoed back).
    return ascii(part)[1:-1][:100] if isinstance(part, str) else str(part)


def check_value(data: Any, root: tuple[str, ...] = ()) -> None:
    """Walk decoded JSON without recursion: 400 when too deep, 422 at the first string (or key)
    that cannot be stored, with its path as pydantic writes it (``client.first_name``, ``pets.0``)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, root)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            error = text_error(".".join(path) or "body", value)
            if error is not None:
                raise invalid([error])
        elif isinstance(value, dict | list):
            if len(path) - len(root) >= MAX_JSON_DEPTH:
                raise invalid_json()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            children = []
            for key, child in items:
                if isinstance(key, str) and (error := text_error(".".join((*path, _name(key))), key)) is not None:
                    raise invalid([error])
                children.append((child, (*path, _name(key))))
            stack.extend(reversed(children))  # in document order: the first bad field is the one named


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(raw: bytes | str) -> Any:
    """The JSON of a request body (``{}`` when empty), checked by ``check_value``.

    400 ``invalid_json`` for malformed JSON, invalid UTF-8, ``NaN``/``Infinity`` and too deep nesting."""
    try:
        data = json.loads(raw or b"{}", parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise invalid_json() from exc
    check_value(data)
    return data


def check_pairs(pairs: Iterable[tuple[str, str]]) -> None:
    """Query parameters or headers: each name and value must be storable text; the field is the name."""
    for name, value in pairs:
        error = text_error(_name(name), name) or text_error(_name(name), value)
        if error is not None:
            raise invalid([error])


def clean_header(request: web.Request, name: str) -> str | None:
    """A header's value when it is storable text, else None (for ids we would rather replace)."""
    value = request.headers.get(name)
    return value if value is not None and text_error(name, value) is None else None


@web.middleware
async def input_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The query string and the headers of every routed request (unknown routes stay 404/405)."""
    if request.match_info.http_exception is None:
        check_pairs(request.query.items())
        check_pairs((k, v) for k, v in request.headers.items() if k.lower() not in _UNCHECKED_HEADERS)
    return await handler(request)
