"""Recording movements of value: accounts, transactions, holds (the ledger's use cases).

Each use case runs inside the caller's database transaction (a ``UnitOfWork``'s
connection), so what it records commits with the events the caller publishes, or not at
all. Concurrent movements through one account are serialised by locking the involved
account rows in ascending id order (no deadlocks between two movements) before checking
the balance; the account row's CHECK is the last word if anything got past that.

Idempotency is the transaction itself: ``(org_id, idempotency_key)`` is unique and the
row keeps a hash of the request. The same key with the same request answers the first
transaction; with another request it is refused (``IdempotencyKeyReused``). A refused
movement records nothing, so retrying it with its key is asked afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.shared.idempotency import MAX_KEY_LENGTH, IdempotencyKeyReused, request_fingerprint
from regulars.wallet.adapters.tables import ledger_accounts, ledger_entries, ledger_holds, ledger_transactions
from regulars.wallet.domain import ledger
from regulars.wallet.domain.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class AccountSpec:
    """An account to open (or find) by its name within an organization and currency."""

    org_id: uuid.UUID
    name: str
    currency: str
    normal: ledger.Normal
    non_negative: bool
    business_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Movement:
    """A transaction to record: who, which key, what kind, and its legs."""

    org_id: uuid.UUID
    business_id: uuid.UUID | None
    key: str
    kind: ledger.TransactionKind
    currency: str
    legs: Sequence[ledger.Leg]
    reason: str | None = None
    refs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    """The transaction that answers a movement; ``replayed`` when it was recorded before."""

    transaction_id: uuid.UUID
    replayed: bool


async def open_account(conn: AsyncConnection, spec: AccountSpec) -> uuid.UUID:
    """The id of the named account, opened with zero balances if it did not exist."""
    ledger.check_currency(spec.currency)
    values = asdict(spec)
    inserted = await conn.execute(
        insert(ledger_accounts).values(**values).on_conflict_do_nothing().returning(ledger_accounts.c.id)
    )
    made: uuid.UUID | None = inserted.scalar()
    if made is not None:
        return made
    where = (ledger_accounts.c[name] == values[name] for name in ("org_id", "name", "currency"))
    found: uuid.UUID = (await conn.execute(sa.select(ledger_accounts.c.id).where(*where))).scalar_one()
    return found


def _movement_request(movement: Movement) -> dict[str, Any]:
    return {
        "kind": movement.kind,
        "currency": movement.currency,
        "legs": [asdict(leg) for leg in movement.legs],
        "reason": movement.reason,
        "refs": dict(movement.refs),
        "business_id": movement.business_id,
    }


def _check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid("idempotency_key_required", f"An idempotency key has 1 to {MAX_KEY_LENGTH} characters.")
    return key


async def _replay(conn: AsyncConnection, org_id: uuid.UUID, key: str, request_hash: str) -> Recorded | None:
    """The transaction already recorded with ``key``, if any; refuses another request's key."""
    row = (
        await conn.execute(
            sa.select(ledger_transactions.c.id, ledger_transactions.c.request_hash).where(
                ledger_transactions.c.org_id == org_id, ledger_transactions.c.idempotency_key == key
            )
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return Recorded(row.id, replayed=True)


async def _lock_accounts(
    conn: AsyncConnection, org_id: uuid.UUID, currency: str, ids: set[uuid.UUID]
) -> dict[uuid.UUID, ledger.Account]:
    """The involved accounts, locked in ascending id order; each must be the org's, in ``currency``."""
    rows = (
        await conn.execute(
            sa.select(ledger_accounts)
            .where(ledger_accounts.c.id.in_(sorted(ids)), ledger_accounts.c.org_id == org_id)
            .order_by(ledger_accounts.c.id)
            .with_for_update()
        )
    ).all()
    if len(rows) != len(ids):
        raise NotFound("account_not_found", "No such account.")
    accounts = {}
    for row in rows:
        if row.currency != currency:
            raise Invalid("currency_mismatch", f"This account keeps {row.currency}, not {currency}.")
        balances = ledger.Balances(row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending)
        accounts[row.id] = ledger.Account(
            row.id, row.org_id, row.currency, row.normal, row.non_negative, balances, row.version
        )
    return accounts


async def _write(
    conn: AsyncConnection, movement: Movement, request_hash: str, now: datetime, resolves: uuid.UUID | None = None
) -> Recorded:
    """Insert the transaction and its entries (the trigger applies them to the accounts)."""
    inserted = await conn.execute(
        insert(ledger_transactions)
        .values(
            org_id=movement.org_id,
            business_id=movement.business_id,
            idempotency_key=movement.key,
            request_hash=request_hash,
            kind=movement.kind,
            currency=movement.currency,
            reason=movement.reason,
            refs=dict(movement.refs),
            resolves_hold_id=resolves,
            recorded_at=now,
        )
        .on_conflict_do_nothing(index_elements=["org_id", "idempotency_key"])
        .returning(ledger_transactions.c.id)
    )
    transaction_id = inserted.scalar()
    if transaction_id is None:  # the same key committed meanwhile by a request on other accounts
        replayed = await _replay(conn, movement.org_id, movement.key, request_hash)
        assert replayed is not None
        return replayed
    await conn.execute(
        sa.insert(ledger_entries),
        [
            {
                "transaction_id": transaction_id,
                "account_id": leg.account_id,
                "side": leg.side,
                "phase": leg.phase,
                "amount": leg.amount,
                "account_version": 0,  # stamped by the trigger
            }
            for leg in movement.legs
        ],
    )
    return Recorded(transaction_id, replayed=False)


async def record(conn: AsyncConnection, movement: Movement, now: datetime) -> Recorded:
    """Record a balanced posted movement once per idempotency key; refuse an overdraft."""
    _check_key(movement.key)
    ledger.check_currency(movement.currency)
    if any(leg.phase != "posted" for leg in movement.legs):
        raise Invalid("pending_not_allowed", "Pending value moves only as a hold.")
    ledger.check_balanced(movement.legs)
    request_hash = request_fingerprint(_movement_request(movement))
    accounts = await _lock_accounts(conn, movement.org_id, movement.currency, {leg.account_id for leg in movement.legs})
    replayed = await _replay(conn, movement.org_id, movement.key, request_hash)
    if replayed is not None:
        return replayed
    ledger.apply_legs(accounts, movement.legs)
    return await _write(conn, movement, request_hash, now)


@dataclass(frozen=True)
class HoldRequest:
    """Reserve ``amount`` of ``debit`` for ``credit`` until captured, released or expired."""

    org_id: uuid.UUID
    business_id: uuid.UUID | None
    key: str
    currency: str
    debit_account_id: uuid.UUID
    credit_account_id: uuid.UUID
    amount: int
    expires_at: datetime | None = None
    refs: Mapping[str, str] = field(default_factory=dict)


async def place_hold(conn: AsyncConnection, request: HoldRequest, now: datetime) -> Recorded:
    """Record a pending transfer (the hold's id is its transaction's); refuse an overdraft."""
    _check_key(request.key)
    ledger.check_currency(request.currency)
    legs = ledger.hold_legs(request.debit_account_id, request.credit_account_id, request.amount)
    ledger.check_balanced(legs)
    movement = Movement(
        request.org_id, request.business_id, request.key, "hold", request.currency, legs, refs=request.refs
    )
    request_hash = request_fingerprint({**_movement_request(movement), "expires_at": request.expires_at})
    accounts = await _lock_accounts(conn, request.org_id, request.currency, {leg.account_id for leg in legs})
    replayed = await _replay(conn, request.org_id, request.key, request_hash)
    if replayed is not None:
        return replayed
    ledger.apply_legs(accounts, legs)
    recorded = await _write(conn, movement, request_hash, now)
    if not recorded.replayed:
        await conn.execute(
            sa.insert(ledger_holds).values(
                id=recorded.transaction_id,
                org_id=request.org_id,
                debit_account_id=request.debit_account_id,
                credit_account_id=request.credit_account_id,
                amount=request.amount,
                currency=request.currency,
                expires_at=request.expires_at,
            )
        )
    return recorded


STATE_OF: dict[ledger.HoldOutcome, str] = {"capture": "captured", "release": "released", "expiry": "expired"}


async def resolve_hold(
    conn: AsyncConnection,
    org_id: uuid.UUID,
    hold_id: uuid.UUID,
    outcome: ledger.HoldOutcome,
    key: str,
    now: datetime,
    amount: int | None = None,
    business_id: uuid.UUID | None = None,
) -> Recorded:
    """Capture (perhaps for less), release or expire a pending hold, at most once."""
    _check_key(key)
    request_hash = request_fingerprint(
        {"hold_id": hold_id, "outcome": outcome, "amount": amount, "business_id": business_id}
    )
    row = (
        await conn.execute(
            sa.select(ledger_holds)
            .where(ledger_holds.c.id == hold_id, ledger_holds.c.org_id == org_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound("hold_not_found", "No such hold.")
    replayed = await _replay(conn, org_id, key, request_hash)
    if replayed is not None:
        return replayed
    if row.state != "pending":
        raise Conflict("hold_already_resolved", f"This hold was already {row.state}.")
    if outcome == "expiry" and (row.expires_at is None or row.expires_at > now):
        raise Conflict("hold_not_expired", "This hold has not expired.")
    hold = ledger.Hold(row.id, row.debit_account_id, row.credit_account_id, row.amount, row.currency)
    legs = ledger.resolution_legs(hold, outcome, amount)
    ledger.check_balanced(legs, releases=True)
    accounts = await _lock_accounts(conn, org_id, hold.currency, {hold.debit_account_id, hold.credit_account_id})
    ledger.apply_legs(accounts, legs)
    movement = Movement(org_id, business_id, key, outcome, hold.currency, legs, refs={"hold_id": str(hold_id)})
    recorded = await _write(conn, movement, request_hash, now, resolves=hold_id)
    await conn.execute(
        sa.update(ledger_holds)
        .where(ledger_holds.c.id == hold_id, ledger_holds.c.state == "pending")
        .values(state=STATE_OF[outcome], resolved_at=now)
    )
    return recorded


async def expire_due_holds(conn: AsyncConnection, now: datetime, limit: int = 100) -> int:
    """Expire pending holds whose time has come (the job; each expiry has its own key)."""
    due = (
        await conn.execute(
            sa.select(ledger_holds.c.id, ledger_holds.c.org_id)
            .where(ledger_holds.c.state == "pending", ledger_holds.c.expires_at <= now)
            .order_by(ledger_holds.c.expires_at)
            .limit(limit)
        )
    ).all()
    for hold in due:
        await resolve_hold(conn, hold.org_id, hold.id, "expiry", f"expiry:{hold.id}", now)
    return len(due)


@dataclass(frozen=True)
class AccountView:
    """An account's balances as read (no lock)."""

    id: uuid.UUID
    name: str
    currency: str
    normal: ledger.Normal
    non_negative: bool
    balances: ledger.Balances
    version: int

    @property
    def posted(self) -> int:
        return self.balances.posted(self.normal)

    @property
    def available(self) -> int:
        return self.balances.available(self.normal)


async def account(conn: AsyncConnection, org_id: uuid.UUID, account_id: uuid.UUID) -> AccountView:
    """One of the organization's accounts with its balances."""
    row = (
        await conn.execute(
            sa.select(ledger_accounts).where(ledger_accounts.c.id == account_id, ledger_accounts.c.org_id == org_id)
        )
    ).first()
    if row is None:
        raise NotFound("account_not_found", "No such account.")
    balances = ledger.Balances(row.debits_posted, row.credits_posted, row.debits_pending, row.credits_pending)
    return AccountView(row.id, row.name, row.currency, row.normal, row.non_negative, balances, row.version)
