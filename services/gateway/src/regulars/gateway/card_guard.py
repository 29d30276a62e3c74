"""No card number enters through the public edge (WALLET.md, "Cards: never touch the number").

Card numbers go to the payment provider's own card form; our API takes its tokens. A request
whose body holds a card number anyway (``regulars.shared.card_numbers``: a Luhn-valid number of
13 to 19 digits, as a JSON number, a string or inside one; a body that is not JSON is read as
text) is refused with 422 ``card_number_refused`` before any route, service or log sees it, and
logged with where it was in the body, never with the number.
"""

from __future__ import annotations

import json

import structlog
from aiohttp import web

from regulars.shared.card_numbers import Path, card_number_path
from regulars.shared.http.app import Handler
from regulars.shared.http.errors import ApiError, FieldError

log = structlog.get_logger(__name__)

CODE = "card_number_refused"
MESSAGE = "Card numbers are not accepted here: enter your card in the payment form."


def _located(raw: bytes) -> Path | None:
    try:
        return card_number_path(json.loads(raw))
    except (ValueError, RecursionError):
        return card_number_path(raw.decode("utf-8", errors="replace"))


@web.middleware
async def refuse_card_numbers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """422 for a body holding a card number; the body stays read for the route (aiohttp keeps it)."""
    if request.can_read_body and request.match_info.http_exception is None:
        path = _located(await request.read())
        if path is not None:
            field = ".".join(str(part) for part in path) or "body"
            log.warning(CODE, method=request.method, path=request.path, field=field)
            raise ApiError(422, CODE, MESSAGE, [FieldError(field=field, code=CODE, message=MESSAGE)])
    return await handler(request)
