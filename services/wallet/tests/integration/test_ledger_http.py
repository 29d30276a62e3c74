"""The ledger's internal API for the business, on the real PostgreSQL: movements with their
Idempotency-Key, holds, and every account scoped to the business that sees it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.inprocess import Api
from regulars.wallet.service_layer import ledger as use

from .conftest import client, key, make_business, staff

pytestmark = pytest.mark.integration

ADJUSTMENTS = "/internal/admin/ledger/adjustments"
HOLDS = "/internal/admin/ledger/holds"


async def card_account(engines: dict[str, AsyncEngine], business: BusinessSnapshot) -> uuid.UUID:
    """An account of the business that must not go negative, as a gift card's is."""
    spec = use.AccountSpec(business.org_id, f"giftcard:{uuid.uuid4()}", "EUR", "credit", True, business.business_id)
    async with UnitOfWork(engines["wallet"]) as uow:
        return await use.open_account(uow.conn, spec)


def adjustment(account: uuid.UUID, amount: int, reason: str = "Load") -> dict[str, Any]:
    return {
        "account_id": str(account),
        "direction": "increase",
        "amount_minor": amount,
        "currency": "EUR",
        "reason": reason,
    }


async def load(api: Api, business: BusinessSnapshot, account: uuid.UUID, amount: int) -> None:
    status, body = await api.call("POST", ADJUSTMENTS, staff(business), json=adjustment(account, amount), headers=key())
    assert status == 201, body


async def test_adjustments_replay_by_key_and_never_overdraw(api: Api, engines: dict[str, AsyncEngine]) -> None:
    business = await make_business(engines)
    account = await card_account(engines, business)
    up = adjustment(account, 5000, "Sold at the till")
    once = key()
    status, made = await api.call("POST", ADJUSTMENTS, staff(business), json=up, headers=once)
    assert status == 201, made
    assert made["kind"] == "adjustment"
    assert made["reason"] == "Sold at the till"
    assert {(leg["account_id"], leg["side"], leg["amount_minor"]) for leg in made["legs"]} >= {
        (str(account), "credit", 5000)
    }
    again = await api.call("POST", ADJUSTMENTS, staff(business), json=up, headers=once)
    assert again == (201, made)
    status, reused = await api.call("POST", ADJUSTMENTS, staff(business), json={**up, "amount_minor": 1}, headers=once)
    assert (status, reused["error"]["code"]) == (409, "idempotency_key_reused"), reused
    down = {**up, "direction": "decrease", "amount_minor": 5001}
    status, refused = await api.call("POST", ADJUSTMENTS, staff(business), json=down, headers=key())
    assert (status, refused["error"]["code"]) == (409, "insufficient_funds")
    status, missing = await api.call("POST", ADJUSTMENTS, staff(business), json=up)
    assert (status, missing["error"]["code"]) == (400, "idempotency_key_required")
    status, bad = await api.call("POST", ADJUSTMENTS, staff(business), json={**up, "amount_minor": 0}, headers=key())
    assert (status, bad["error"]["fields"][0]["field"]) == (422, "amount_minor")
    status, seen = await api.call("GET", f"/internal/admin/ledger/accounts/{account}", staff(business))
    assert (status, seen["posted_minor"], seen["available_minor"], seen["version"]) == (200, 5000, 5000, 1)


async def test_a_hold_is_captured_for_less_once(api: Api, engines: dict[str, AsyncEngine]) -> None:
    business = await make_business(engines)
    account = await card_account(engines, business)
    await load(api, business, account, 5000)
    hold = {"account_id": str(account), "amount_minor": 2000, "currency": "EUR", "refs": {"booking_id": "b-1"}}
    status, held = await api.call("POST", HOLDS, staff(business), json=hold, headers=key())
    assert (status, held["state"], held["amount_minor"]) == (201, "pending", 2000), held
    _, seen = await api.call("GET", f"/internal/admin/ledger/accounts/{account}", staff(business))
    assert (seen["posted_minor"], seen["held_minor"], seen["available_minor"]) == (5000, 2000, 3000)
    too_much = {"account_id": str(account), "amount_minor": 3001, "currency": "EUR"}
    status, refused = await api.call("POST", HOLDS, staff(business), json=too_much, headers=key())
    assert (status, refused["error"]["code"]) == (409, "insufficient_funds")
    capture = f"{HOLDS}/{held['id']}/capture"
    status, captured = await api.call("POST", capture, staff(business), json={"amount_minor": 1500}, headers=key())
    assert (status, captured["state"]) == (200, "captured"), captured
    status, twice = await api.call("POST", f"{HOLDS}/{held['id']}/release", staff(business), headers=key())
    assert (status, twice["error"]["code"]) == (409, "hold_already_resolved")
    _, page = await api.call("GET", f"/internal/admin/ledger/accounts/{account}/entries", staff(business))
    assert page["account"]["available_minor"] == page["account"]["posted_minor"] == 3500
    assert [(e["kind"], e["phase"], e["amount_minor"]) for e in page["entries"]] == [
        ("capture", "posted", 1500),
        ("capture", "pending", -2000),
        ("hold", "pending", 2000),
        ("adjustment", "posted", 5000),
    ]


async def test_accounts_and_holds_are_the_business_s_own(api: Api, engines: dict[str, AsyncEngine]) -> None:
    """R-T4: a sister business, another organization and a client see nothing of them."""
    business = await make_business(engines)
    sister = await make_business(engines, org_id=business.org_id)
    stranger = await make_business(engines)
    account = await card_account(engines, business)
    await load(api, business, account, 900)
    hold = {"account_id": str(account), "amount_minor": 100, "currency": "EUR"}
    _, held = await api.call("POST", HOLDS, staff(business), json=hold, headers=key())
    for other in (staff(sister), staff(stranger), client(business)):
        for path in (f"/internal/admin/ledger/accounts/{account}", f"{HOLDS}/{held['id']}"):
            status, body = await api.call("GET", path, other)
            assert status == 404, (other, path, body)
        status, body = await api.call("POST", ADJUSTMENTS, other, json=adjustment(account, 1), headers=key())
        assert status == 404, body
    _, listed = await api.call("GET", "/internal/admin/ledger/accounts", staff(sister))
    assert str(account) not in {a["id"] for a in listed["accounts"]}
