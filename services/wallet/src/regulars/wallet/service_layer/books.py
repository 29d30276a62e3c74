"""A business's view of the ledger: its accounts, their entries, adjustments and holds.

Every read and write is scoped to the business: it sees the accounts it owns and the
organization's shared ones (gift cards of a ``global`` client database: ``business_id``
null), never another business's or another organization's. A hold is the business's that
placed it. The business's own accounts are named ``business:<id>:<purpose>``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.contracts import wallet as contract
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.wallet.adapters.tables import ledger_accounts, ledger_entries, ledger_holds, ledger_transactions
from regulars.wallet.domain import ledger
from regulars.wallet.domain.errors import NotFound
from regulars.wallet.service_layer import ledger as use

Purpose = Literal["revenue", "adjustments", "till", "breakage"]
NORMAL_OF: dict[Purpose, ledger.Normal] = {
    "revenue": "credit",  # what clients paid or redeemed for the business's services
    "adjustments": "debit",  # the other side of every correction staff makes
    "till": "debit",  # money taken in person (cash, a card terminal) for what the wallet issues
    "breakage": "credit",  # value that expired unused
}
MAX_ENTRIES = 200


async def business_account(
    conn: AsyncConnection, business: BusinessSnapshot, purpose: Purpose, currency: str
) -> uuid.UUID:
    """The business's account for ``purpose`` in ``currency``, opened on first use."""
    spec = use.AccountSpec(
        business.org_id,
        f"business:{business.business_id}:{purpose}",
        currency,
        NORMAL_OF[purpose],
        False,
        business.business_id,
    )
    return await use.open_account(conn, spec)


def visible_to(business: BusinessSnapshot) -> sa.ColumnElement[bool]:
    """The accounts ``business`` may see: its own, and its organization's shared ones."""
    own = ledger_accounts.c.business_id == business.business_id
    return (ledger_accounts.c.org_id == business.org_id) & (own | ledger_accounts.c.business_id.is_(None))


def recorded_by(business: BusinessSnapshot) -> sa.ColumnElement[bool]:
    """The transactions ``business`` recorded (holds are theirs)."""
    return (ledger_transactions.c.org_id == business.org_id) & (
        ledger_transactions.c.business_id == business.business_id
    )


def account_answer(row: Any) -> contract.LedgerAccount:
    """An account row as the API shows it: posted, held and available in its own direction."""
    balances = ledger.Balances(row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending)
    posted, available = balances.posted(row.normal), balances.available(row.normal)
    return contract.LedgerAccount(
        id=row.id,
        name=row.name,
        currency=row.currency,
        normal=row.normal,
        non_negative=row.non_negative,
        posted_minor=posted,
        held_minor=posted - available,
        available_minor=available,
        version=row.version,
    )


async def list_accounts(conn: AsyncConnection, business: BusinessSnapshot) -> contract.LedgerAccountList:
    """The accounts the business sees, by name."""
    query = sa.select(ledger_accounts).where(visible_to(business)).order_by(ledger_accounts.c.name).limit(500)
    return contract.LedgerAccountList(accounts=[account_answer(row) for row in await conn.execute(query)])


async def get_account(
    conn: AsyncConnection, business: BusinessSnapshot, account_id: uuid.UUID
) -> contract.LedgerAccount:
    """One account the business sees, with its balances."""
    query = sa.select(ledger_accounts).where(ledger_accounts.c.id == account_id, visible_to(business))
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("account_not_found", "No such account.")
    return account_answer(row)


async def account_entries(
    conn: AsyncConnection,
    business: BusinessSnapshot,
    account_id: uuid.UUID,
    *,
    before_version: int | None = None,
    limit: int = 50,
) -> contract.LedgerEntries:
    """An account's entries, newest first, ``limit`` at a time (older ones: ``before_version``)."""
    account = await get_account(conn, business, account_id)
    query = (
        sa.select(
            ledger_entries, ledger_transactions.c.kind, ledger_transactions.c.recorded_at, ledger_transactions.c.reason
        )
        .join(ledger_transactions, ledger_transactions.c.id == ledger_entries.c.transaction_id)
        .where(ledger_entries.c.account_id == account_id, ledger_transactions.c.org_id == business.org_id)
        .order_by(ledger_entries.c.account_version.desc())
        .limit(min(max(limit, 1), MAX_ENTRIES))
    )
    if before_version is not None:
        query = query.where(ledger_entries.c.account_version < before_version)
    rows = (await conn.execute(query)).all()
    entries = [
        contract.LedgerEntry(
            transaction_id=r.transaction_id,
            kind=r.kind,
            side=r.side,
            phase=r.phase,
            amount_minor=r.amount,
            account_version=r.account_version,
            recorded_at=r.recorded_at,
            reason=r.reason,
        )
        for r in rows
    ]
    older = entries[-1].account_version if entries and entries[-1].account_version > 1 else None
    return contract.LedgerEntries(account=account, entries=entries, next_before_version=older)


async def get_transaction(
    conn: AsyncConnection, business: BusinessSnapshot, transaction_id: uuid.UUID
) -> contract.LedgerTransaction:
    """A transaction the business recorded, with its legs."""
    row = (
        await conn.execute(
            sa.select(ledger_transactions).where(ledger_transactions.c.id == transaction_id, recorded_by(business))
        )
    ).first()
    if row is None:
        raise NotFound("transaction_not_found", "No such transaction.")
    legs = await conn.execute(
        sa.select(ledger_entries).where(ledger_entries.c.transaction_id == transaction_id).order_by(ledger_entries.c.id)
    )
    return contract.LedgerTransaction(
        id=row.id,
        kind=row.kind,
        currency=row.currency,
        reason=row.reason,
        refs=row.refs,
        recorded_at=row.recorded_at,
        legs=[
            contract.LedgerLeg(account_id=leg.account_id, side=leg.side, phase=leg.phase, amount_minor=leg.amount)
            for leg in legs
        ],
    )


async def adjust(
    uow: UnitOfWork, business: BusinessSnapshot, request: contract.AdjustmentRequest, key: str, now: datetime
) -> contract.LedgerTransaction:
    """Correct an account up or down against the business's adjustments account, with a reason."""
    account = await get_account(uow.conn, business, request.account_id)
    counter = await business_account(uow.conn, business, "adjustments", account.currency)
    increase = request.direction == "increase"
    debit, credit = (counter, account.id) if increase == (account.normal == "credit") else (account.id, counter)
    movement = use.Movement(
        business.org_id,
        business.business_id,
        key,
        "adjustment",
        request.currency,
        ledger.transfer(debit, credit, request.amount_minor),
        reason=request.reason,
    )
    recorded = await use.record(uow.conn, movement, now)
    return await get_transaction(uow.conn, business, recorded.transaction_id)


# --- Holds -----------------------------------------------------------------------------


async def get_hold(conn: AsyncConnection, business: BusinessSnapshot, hold_id: uuid.UUID) -> contract.LedgerHold:
    """A hold the business placed."""
    row = (
        await conn.execute(
            sa.select(ledger_holds)
            .join(ledger_transactions, ledger_transactions.c.id == ledger_holds.c.id)
            .where(ledger_holds.c.id == hold_id, recorded_by(business))
        )
    ).first()
    if row is None:
        raise NotFound("hold_not_found", "No such hold.")
    return contract.LedgerHold(
        id=row.id,
        account_id=row.debit_account_id,
        credit_account_id=row.credit_account_id,
        amount_minor=row.amount,
        currency=row.currency,
        state=row.state,
        expires_at=row.expires_at,
        resolved_at=row.resolved_at,
    )


async def place_hold(
    uow: UnitOfWork, business: BusinessSnapshot, request: contract.HoldRequest, key: str, now: datetime
) -> contract.LedgerHold:
    """Reserve part of an account's available balance for the business's revenue."""
    account = await get_account(uow.conn, business, request.account_id)
    revenue = await business_account(uow.conn, business, "revenue", account.currency)
    hold = use.HoldRequest(
        business.org_id,
        business.business_id,
        key,
        request.currency,
        account.id,
        revenue,
        request.amount_minor,
        expires_at=request.expires_at,
        refs=request.refs,
    )
    recorded = await use.place_hold(uow.conn, hold, now)
    return await get_hold(uow.conn, business, recorded.transaction_id)


async def resolve_hold(
    uow: UnitOfWork,
    business: BusinessSnapshot,
    hold_id: uuid.UUID,
    outcome: Literal["capture", "release"],
    key: str,
    now: datetime,
    amount: int | None = None,
) -> contract.LedgerHold:
    """Capture (perhaps for less) or release one of the business's holds, at most once."""
    await get_hold(uow.conn, business, hold_id)
    await use.resolve_hold(uow.conn, business.org_id, hold_id, outcome, key, now, amount, business.business_id)
    return await get_hold(uow.conn, business, hold_id)
