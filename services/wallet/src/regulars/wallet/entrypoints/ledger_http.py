"""The wallet's internal ledger API for the business (the gateway checked its API key).

Every route answers only a business principal (``Audience.STAFF``) and sees only the
business's accounts and its organization's shared ones (``service_layer.books``); every
movement takes an ``Idempotency-Key``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from aiohttp import web

from regulars.shared.contracts import wallet as contract
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import json_response, parse_query
from regulars.shared.http.handlers import path_id
from regulars.shared.http.internal import Audience, add_internal_routes
from regulars.shared.service import ENGINE
from regulars.wallet.entrypoints.common import Move, business_of, moving
from regulars.wallet.service_layer import books


async def list_accounts(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        return json_response(await books.list_accounts(conn, await business_of(request, conn)))


async def get_account(request: web.Request) -> web.Response:
    account_id = path_id(request, what="Account")
    async with request.app[ENGINE].connect() as conn:
        return json_response(await books.get_account(conn, await business_of(request, conn), account_id))


async def account_entries(request: web.Request) -> web.Response:
    """An account's entries, newest first (``limit``, ``before_version`` to page)."""
    account_id = path_id(request, what="Account")
    page = parse_query(request, contract.EntriesQuery)
    async with request.app[ENGINE].connect() as conn:
        business = await business_of(request, conn)
        found = await books.account_entries(
            conn, business, account_id, before_version=page.before_version, limit=page.limit
        )
    return json_response(found)


async def get_transaction(request: web.Request) -> web.Response:
    transaction_id = path_id(request, what="Transaction")
    async with request.app[ENGINE].connect() as conn:
        return json_response(await books.get_transaction(conn, await business_of(request, conn), transaction_id))


async def record_adjustment(request: web.Request) -> web.Response:
    """Correct an account up or down, with a reason (a new transaction; nothing is ever edited)."""
    return await moving(request, "adjustment", contract.AdjustmentRequest, books.adjust)


async def place_hold(request: web.Request) -> web.Response:
    return await moving(request, "hold", contract.HoldRequest, books.place_hold)


async def get_hold(request: web.Request) -> web.Response:
    hold_id = path_id(request, what="Hold")
    async with request.app[ENGINE].connect() as conn:
        return json_response(await books.get_hold(conn, await business_of(request, conn), hold_id))


Resolution = contract.HoldCapture | contract.HoldRelease


def _resolving(outcome: Literal["capture", "release"], hold_id: uuid.UUID) -> Move[Resolution]:
    async def move(
        uow: UnitOfWork, business: BusinessSnapshot, asked: Resolution, key: str, now: datetime
    ) -> contract.LedgerHold:
        amount = asked.amount_minor if isinstance(asked, contract.HoldCapture) else None
        return await books.resolve_hold(uow, business, hold_id, outcome, key, now, amount)

    return move


async def capture_hold(request: web.Request) -> web.Response:
    """Post a hold, all of it or less; at most once."""
    move = _resolving("capture", path_id(request, "hold_id", "Hold"))
    return await moving(request, "hold.capture", contract.HoldCapture, move, status=200)


async def release_hold(request: web.Request) -> web.Response:
    move = _resolving("release", path_id(request, "hold_id", "Hold"))
    return await moving(request, "hold.release", contract.HoldRelease, move, status=200)


def setup_ledger_routes(app: web.Application) -> None:
    add_internal_routes(app.router, Audience.STAFF, [
        ("GET", "/internal/admin/ledger/accounts", list_accounts),
        ("GET", "/internal/admin/ledger/accounts/{id}", get_account),
        ("GET", "/internal/admin/ledger/accounts/{id}/entries", account_entries),
        ("GET", "/internal/admin/ledger/transactions/{id}", get_transaction),
        ("POST", "/internal/admin/ledger/adjustments", record_adjustment),
        ("POST", "/internal/admin/ledger/holds", place_hold),
        ("GET", "/internal/admin/ledger/holds/{id}", get_hold),
        ("POST", "/internal/admin/ledger/holds/{hold_id}/capture", capture_hold),
        ("POST", "/internal/admin/ledger/holds/{hold_id}/release", release_hold),
    ])  # fmt: skip
