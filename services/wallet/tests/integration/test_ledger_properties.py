"""The ledger's invariants on the real PostgreSQL, under random concurrent movements.

Each example opens fresh accounts in a fresh organization — a payment provider's
clearing account, the business's revenue, three gift cards that must not go negative —
and runs batches of purchases, redemptions, refunds, holds, captures (perhaps for
less), releases, replays and reused keys; the operations of one batch run at once, each
in its own transaction. After every example: money is conserved (debits = credits, per
phase), every account's sums equal its entries and its versions have no gaps, no card is
below zero, each hold is resolved at most once, a refused operation recorded nothing,
and the balances are exactly what the accepted operations add up to.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.shared.db.engine import make_engine
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.idempotency import IdempotencyKeyReused
from regulars.shared.settings import Settings
from regulars.wallet.adapters.tables import ledger_accounts, ledger_entries, ledger_holds, ledger_transactions
from regulars.wallet.domain import ledger
from regulars.wallet.domain.errors import DomainError
from regulars.wallet.service_layer import ledger as use

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CARDS = 3
HOLD_SLOTS = 3


@pytest.fixture(scope="module")
async def wallet(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    """The wallet database with a pool wide enough for a batch of concurrent movements."""
    engine = make_engine(migrated.database_url_of("wallet"), 4)
    yield engine
    await engine.dispose()


@dataclass
class Books:
    org_id: uuid.UUID
    clearing: uuid.UUID
    revenue: uuid.UUID
    cards: list[uuid.UUID]
    holds: dict[int, uuid.UUID] = field(default_factory=dict)
    accepted: dict[uuid.UUID, list[ledger.Leg]] = field(default_factory=dict)
    refused_keys: set[str] = field(default_factory=set)
    accepted_keys: set[str] = field(default_factory=set)
    sent: dict[str, Any] = field(default_factory=dict)


async def open_books(engine: AsyncEngine) -> Books:
    org_id = uuid.uuid4()
    async with UnitOfWork(engine) as uow:

        async def account(name: str, normal: ledger.Normal, non_negative: bool) -> uuid.UUID:
            return await use.open_account(uow.conn, use.AccountSpec(org_id, name, "EUR", normal, non_negative))

        clearing = await account("provider:test:clearing", "debit", False)
        revenue = await account("business:revenue", "credit", False)
        cards = [await account(f"giftcard:{i}", "credit", True) for i in range(CARDS)]
    return Books(org_id, clearing, revenue, cards)


amounts = st.integers(min_value=1, max_value=6000)
card = st.integers(min_value=0, max_value=CARDS - 1)
slot = st.integers(min_value=0, max_value=HOLD_SLOTS - 1)
operation = st.one_of(
    st.tuples(st.just("purchase"), card, amounts),
    st.tuples(st.just("redeem"), card, amounts),
    st.tuples(st.just("refund"), card, amounts),
    st.tuples(st.just("cash_out"), card, amounts),
    st.tuples(st.just("hold"), card, amounts, slot),
    st.tuples(st.just("capture"), slot, st.one_of(st.none(), amounts)),
    st.tuples(st.just("release"), slot),
    st.tuples(st.just("replay"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("reuse"), st.integers(min_value=0, max_value=50), amounts),
)


def movement(books: Books, op: tuple[Any, ...], key: str) -> use.Movement | None:
    """The posted movement an operation asks for (None for holds and their resolutions)."""
    kind, *args = op
    routes: dict[str, tuple[ledger.TransactionKind, uuid.UUID, uuid.UUID]] = {
        "purchase": ("giftcard_purchase", books.clearing, books.cards[args[0]]),
        "redeem": ("redemption", books.cards[args[0]], books.revenue),
        "refund": ("refund", books.revenue, books.cards[args[0]]),
        "cash_out": ("refund", books.cards[args[0]], books.clearing),
    }
    if kind not in routes:
        return None
    name, debit, credit = routes[kind]
    return use.Movement(books.org_id, None, key, name, "EUR", ledger.transfer(debit, credit, args[1]))


async def resolution(
    conn: AsyncConnection, books: Books, op: tuple[Any, ...], key: str
) -> tuple[use.Recorded, list[ledger.Leg]] | None:
    """Capture or release the hold of a slot (None when the slot holds none), and its legs."""
    hold_id = books.holds.get(op[1])
    if hold_id is None:
        return None
    amount = op[2] if op[0] == "capture" else None
    found = (await conn.execute(sa.select(ledger_holds).where(ledger_holds.c.id == hold_id))).one()
    hold = ledger.Hold(found.id, found.debit_account_id, found.credit_account_id, found.amount, "EUR")
    outcome: ledger.HoldOutcome = "capture" if op[0] == "capture" else "release"
    recorded = await use.resolve_hold(conn, books.org_id, hold_id, outcome, key, NOW, amount)
    return recorded, ledger.resolution_legs(hold, outcome, amount)


def replayed(op: tuple[Any, ...], earlier: list[tuple[str, Any]]) -> tuple[str, tuple[Any, ...]] | None:
    """The key and operation a replay or a reuse sends: an earlier one's key, with its body or another."""
    if not earlier:
        return None
    key, original = earlier[op[1] % len(earlier)]
    if op[0] == "replay":
        return key, original
    other = ("redeem", 0, op[2]) if original[0] != "redeem" else ("purchase", 0, op[2])
    return None if other == original else (key, other)


async def run(
    engine: AsyncEngine, books: Books, op: tuple[Any, ...], key: str, earlier: list[tuple[str, Any]] | None = None
) -> None:
    """One operation in its own transaction; remembers what it recorded or that it was refused.

    A replay or a reused key picks an operation of an earlier batch (``earlier``).
    """
    kind = op[0]
    if kind in ("replay", "reuse"):
        if (again := replayed(op, earlier or [])) is None:
            return
        key, op = again
    else:
        books.sent[key] = op
    legs: list[ledger.Leg] = []
    try:
        async with UnitOfWork(engine) as uow:
            made = movement(books, op, key)
            if made is not None:
                legs = list(made.legs)
                recorded = await use.record(uow.conn, made, NOW)
            elif op[0] == "hold":
                _, index, amount, hold_slot = op
                legs = ledger.hold_legs(books.cards[index], books.revenue, amount)
                request = use.HoldRequest(books.org_id, None, key, "EUR", books.cards[index], books.revenue, amount)
                recorded = await use.place_hold(uow.conn, request, NOW)
                if not recorded.replayed:
                    books.holds[hold_slot] = recorded.transaction_id
            elif (resolved := await resolution(uow.conn, books, op, key)) is not None:
                recorded, legs = resolved
            else:  # nothing to resolve: the key recorded nothing, as if refused
                if kind not in ("replay", "reuse"):
                    books.refused_keys.add(key)
                return
    except IdempotencyKeyReused:
        # A replay meets another body only when its refused original's key was reused since.
        assert kind == "reuse" or (kind == "replay" and key in books.refused_keys)
        return
    except DomainError:
        if kind not in ("replay", "reuse"):
            books.refused_keys.add(key)
        return
    assert not recorded.replayed or kind in ("replay", "reuse")  # two reuses of one key can agree
    books.accepted.setdefault(recorded.transaction_id, legs)
    books.accepted_keys.add(key)


async def check_invariants(engine: AsyncEngine, books: Books) -> None:
    org = books.org_id
    async with engine.connect() as conn:
        accounts = (await conn.execute(sa.select(ledger_accounts).where(ledger_accounts.c.org_id == org))).all()
        entries = (
            await conn.execute(
                sa.select(ledger_entries).join(ledger_transactions).where(ledger_transactions.c.org_id == org)
            )
        ).all()
        transactions = (
            await conn.execute(sa.select(ledger_transactions).where(ledger_transactions.c.org_id == org))
        ).all()
        holds = (await conn.execute(sa.select(ledger_holds).where(ledger_holds.c.org_id == org))).all()

    # Money is conserved: in each phase, debits equal credits over all accounts, and per transaction.
    for phase in ("posted", "pending"):
        assert sum(getattr(a, f"debits_{phase}") for a in accounts) == sum(
            getattr(a, f"credits_{phase}") for a in accounts
        )
    per_transaction: Counter[tuple[uuid.UUID, str]] = Counter()
    for e in entries:
        per_transaction[(e.transaction_id, e.phase)] += e.amount if e.side == "debit" else -e.amount
    assert set(per_transaction.values()) <= {0}

    # Every balance equals the sum of its entries; versions run 1..n; no card below zero.
    for a in accounts:
        mine = [e for e in entries if e.account_id == a.id]
        for side in ("debit", "credit"):
            for phase in ("posted", "pending"):
                total = sum(e.amount for e in mine if e.side == side and e.phase == phase)
                assert getattr(a, f"{side}s_{phase}") == total, (a.name, side, phase)
        assert sorted(e.account_version for e in mine) == list(range(1, len(mine) + 1))
        assert a.version == len(mine)
        if a.non_negative:
            assert a.credits_posted - a.debits_posted - a.debits_pending >= 0

    # A refused operation recorded nothing; every accepted one is there, once.
    keys = Counter(t.idempotency_key for t in transactions)
    assert not (books.refused_keys - books.accepted_keys) & set(keys)  # a refused key may be used again
    assert {t.id for t in transactions} == set(books.accepted)

    # The balances are exactly what the accepted operations add up to.
    expected = {a.id: ledger.Balances() for a in accounts}
    for legs in books.accepted.values():
        for leg in legs:
            expected[leg.account_id] = expected[leg.account_id].apply(leg)
    for a in accounts:
        assert expected[a.id] == ledger.Balances(a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending)

    # Each hold is resolved at most once, and what is pending is what the open holds reserve.
    resolutions = Counter(t.resolves_hold_id for t in transactions if t.resolves_hold_id is not None)
    assert set(resolutions.values()) <= {1}
    assert {h.id for h in holds if h.state != "pending"} == set(resolutions)
    open_holds = sum(h.amount for h in holds if h.state == "pending")
    assert sum(a.debits_pending for a in accounts) == open_holds


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches=st.lists(st.lists(operation, min_size=1, max_size=8), min_size=1, max_size=5))
async def test_concurrent_movements_keep_the_books(wallet: AsyncEngine, batches: list[list[tuple[Any, ...]]]) -> None:
    books = await open_books(wallet)
    for batch in batches:
        earlier = list(books.sent.items())
        await asyncio.gather(*(run(wallet, books, op, uuid.uuid4().hex, earlier) for op in batch))
    await check_invariants(wallet, books)


async def test_eighty_concurrent_redemptions_of_a_hundred_euro_card_make_ten(wallet: AsyncEngine) -> None:
    books = await open_books(wallet)
    await run(wallet, books, ("purchase", 0, 10000), "load")
    await asyncio.gather(*(run(wallet, books, ("redeem", 0, 1000), f"r{i}") for i in range(80)))
    assert len(books.accepted) == 11
    assert len(books.refused_keys) == 70
    await check_invariants(wallet, books)


async def test_the_database_itself_refuses_overdrafts_edits_and_unbalanced_transactions(wallet: AsyncEngine) -> None:
    """The guards hold even for SQL that bypasses the use cases."""
    books = await open_books(wallet)
    await run(wallet, books, ("purchase", 0, 500), "load")
    (transaction_id,) = books.accepted

    def entry(account_id: uuid.UUID, side: str, amount: int, txn: uuid.UUID) -> dict[str, Any]:
        return {"transaction_id": txn, "account_id": account_id, "side": side, "phase": "posted", "amount": amount}

    async def execute(statements: tuple[Any, ...]) -> None:
        async with wallet.begin() as conn:
            for statement in statements:
                await conn.execute(statement)

    async def attempt(*statements: Any) -> None:
        with pytest.raises(sa.exc.DBAPIError):
            await execute(statements)

    new_txn = uuid.uuid4()
    txn_row = sa.insert(ledger_transactions).values(
        id=new_txn, org_id=books.org_id, idempotency_key="raw", request_hash="-", kind="redemption",
        currency="EUR", recorded_at=NOW,
    )  # fmt: skip
    overdraft = [entry(books.cards[0], "debit", 501, new_txn), entry(books.revenue, "credit", 501, new_txn)]
    await attempt(txn_row, sa.insert(ledger_entries).values(overdraft))  # CHECK ledger_accounts_available
    await attempt(txn_row, sa.insert(ledger_entries).values([entry(books.revenue, "credit", 5, new_txn)]))  # unbalanced
    await attempt(sa.update(ledger_entries).where(ledger_entries.c.transaction_id == transaction_id).values(amount=1))
    await attempt(sa.delete(ledger_transactions).where(ledger_transactions.c.id == transaction_id))
    await check_invariants(wallet, books)


async def test_a_hold_is_captured_for_less_once_and_an_expired_one_returns(wallet: AsyncEngine) -> None:
    books = await open_books(wallet)
    await run(wallet, books, ("purchase", 0, 1000), "load")
    async with UnitOfWork(wallet) as uow:
        request = use.HoldRequest(books.org_id, None, "h1", "EUR", books.cards[0], books.revenue, 800)
        hold = (await use.place_hold(uow.conn, request, NOW)).transaction_id
        expiring = use.HoldRequest(books.org_id, None, "h2", "EUR", books.cards[0], books.revenue, 200, expires_at=NOW)
        await use.place_hold(uow.conn, expiring, NOW)
        assert (await use.account(uow.conn, books.org_id, books.cards[0])).available == 0
        captured = await use.resolve_hold(uow.conn, books.org_id, hold, "capture", "c1", NOW, 300)
        again = await use.resolve_hold(uow.conn, books.org_id, hold, "capture", "c1", NOW, 300)
        assert again == use.Recorded(captured.transaction_id, replayed=True)
        with pytest.raises(DomainError) as refused:
            await use.resolve_hold(uow.conn, books.org_id, hold, "release", "v1", NOW)
        assert refused.value.code == "hold_already_resolved"
        assert await use.expire_due_holds(uow.conn, NOW) >= 1
        card = await use.account(uow.conn, books.org_id, books.cards[0])
    assert (card.posted, card.available) == (700, 700)
