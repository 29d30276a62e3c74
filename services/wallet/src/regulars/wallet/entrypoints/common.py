"""What the wallet's handlers share: its business from the projection, and one way to move money.

Every POST that moves money carries an ``Idempotency-Key`` (``regulars.shared.idempotency``):
the key is claimed in the same transaction as the movement, so the same key and body answer the
first answer and the same key with another body is refused. The ledger transaction it records is
keyed by a digest of the caller's scope and that key, so the ledger's own uniqueness says the
same: one key, one movement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared import idempotency
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http import handlers
from regulars.shared.http.app import json_response
from regulars.shared.http.handlers import json_body, now_of
from regulars.shared.http.internal import principal_of
from regulars.shared.service import ENGINE

M = TypeVar("M", bound=BaseModel)
Move = Callable[[UnitOfWork, BusinessSnapshot, M, str, datetime], Awaitable[BaseModel]]


async def business_of(request: web.Request, conn: AsyncConnection) -> BusinessSnapshot:
    """The principal's business from the wallet's projection; 404 when unknown here."""
    return await handlers.business_of(request, conn, "wallet")


def scope_of(request: web.Request, what: str) -> str:
    """Whose keys a key is among: the use case, the business and the account (or staff)."""
    principal = principal_of(request)
    return f"wallet.{what}:{principal.business_id}:{principal.account_id or 'staff'}"


async def moving(
    request: web.Request,
    what: str,
    model: type[M],
    move: Move[M],
    *,
    status: int = 201,
    shown_once: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> web.Response:
    """Run ``move`` once per ``Idempotency-Key`` in one transaction and answer what it gave.

    ``move`` gets the unit of work, the business, the body as ``model``, the ledger key and now. ``shown_once``: what
    of the answer is kept for a replay (a gift card's code is answered once, never stored)."""
    key = idempotency.validate_key(request.headers.get(idempotency.HEADER))
    body = await json_body(request)
    asked = model.model_validate(body)
    scope = scope_of(request, what)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await business_of(request, uow.conn)
        stored = await idempotency.claim(uow.conn, scope, key, body)
        if stored is not None:
            return json_response(stored.body, status=stored.status)
        answer = (await move(uow, business, asked, ledger_key(scope, key), now_of(request))).model_dump(mode="json")
        kept = shown_once(answer) if shown_once else answer
        await idempotency.remember(uow.conn, scope, key, status, kept)
    return json_response(answer, status=status)


def ledger_key(scope: str, key: str) -> str:
    """The ledger transaction's key for a caller's key: bounded, and distinct per scope."""
    return "http:" + idempotency.request_fingerprint([scope, key])
