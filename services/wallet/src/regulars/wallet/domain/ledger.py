"""The money ledger's rules, pure: balanced double-entry legs, balances, holds.

Value moves only as a *transaction* of *legs* (entries): each leg debits or credits one
account with a positive amount in integer minor units of one ISO 4217 currency. In each
phase (``posted`` and ``pending``) a transaction's debits equal its credits. An account
keeps four sums, as TigerBeetle does: debits and credits, posted and pending. A *hold*
is a pending transaction; it is resolved at most once by a transaction that releases the
pending legs (legs with a negative amount, the only ones allowed) and posts what is
captured (the held amount, less, or nothing).

An account is credit-normal (a liability such as a gift card's balance, or revenue: its
balance is credits - debits) or debit-normal (an asset such as money a payment provider
owes the business: debits - credits). An account that must not go negative keeps
``available = posted balance - pending holds out of it ≥ 0``; the database repeats that
rule as a CHECK on the account row.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

from regulars.shared.contracts.wallet import Normal as Normal
from regulars.shared.contracts.wallet import Phase as Phase
from regulars.shared.contracts.wallet import Side as Side
from regulars.shared.contracts.wallet import TransactionKind as TransactionKind
from regulars.wallet.domain.errors import FieldProblem, InsufficientFunds, Invalid

TRANSACTION_KINDS: tuple[str, ...] = get_args(TransactionKind)
HoldOutcome = Literal["capture", "release", "expiry"]

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_AMOUNT = 10**15  # minor units: far above any real movement, far below BIGINT


@dataclass(frozen=True)
class Leg:
    """One entry of a transaction: ``amount`` minor units debited or credited to an account."""

    account_id: uuid.UUID
    side: Side
    amount: int
    phase: Phase = "posted"


@dataclass(frozen=True)
class Balances:
    """An account's four sums; each equals the sum of its entries of that side and phase."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    def apply(self, leg: Leg) -> Balances:
        name = f"{leg.side}s_{leg.phase}"
        return replace(self, **{name: getattr(self, name) + leg.amount})

    def posted(self, normal: Normal) -> int:
        """The posted balance in the account's own direction."""
        if normal == "credit":
            return self.credits_posted - self.debits_posted
        return self.debits_posted - self.credits_posted

    def available(self, normal: Normal) -> int:
        """Posted balance less what pending holds take out of the account."""
        held = self.debits_pending if normal == "credit" else self.credits_pending
        return self.posted(normal) - held

    def consistent(self) -> bool:
        return min(self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending) >= 0


@dataclass(frozen=True)
class Account:
    """An account as the ledger sees it when moving value through it."""

    id: uuid.UUID
    org_id: uuid.UUID
    currency: str
    normal: Normal
    non_negative: bool
    balances: Balances
    version: int


def check_currency(currency: str) -> str:
    if not CURRENCY.match(currency):
        raise Invalid("invalid_currency", "A currency is an ISO 4217 code such as EUR.")
    return currency


def check_amount(amount: int, field: str = "amount") -> int:
    """A positive whole number of minor units."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        problem = FieldProblem(field, "invalid_amount", "An amount is a positive whole number of minor units.")
        raise Invalid("invalid_amount", problem.message, [problem])
    return amount


def transfer(debit: uuid.UUID, credit: uuid.UUID, amount: int, phase: Phase = "posted") -> list[Leg]:
    """The two legs that move ``amount`` from ``debit`` to ``credit``."""
    return [Leg(debit, "debit", amount, phase), Leg(credit, "credit", amount, phase)]


def check_balanced(legs: Sequence[Leg], *, releases: bool = False) -> None:
    """Refuse a transaction whose debits and credits differ in a phase, or with a bad leg.

    Negative amounts are only the pending legs of a hold's resolution (``releases``).
    """
    if not legs:
        raise Invalid("empty_transaction", "A transaction moves value: it needs legs.")
    for index, leg in enumerate(legs):
        if leg.amount < 0 and releases and leg.phase == "pending":
            continue
        check_amount(leg.amount, f"legs.{index}.amount")
    for phase in ("posted", "pending"):
        debits = sum(leg.amount for leg in legs if leg.phase == phase and leg.side == "debit")
        credits = sum(leg.amount for leg in legs if leg.phase == phase and leg.side == "credit")
        if debits != credits:
            raise Invalid("unbalanced_transaction", f"The {phase} debits ({debits}) and credits ({credits}) differ.")
    if len({leg.account_id for leg in legs}) < 2:
        raise Invalid("same_account", "A transaction moves value between two accounts at least.")


def apply_legs(accounts: Mapping[uuid.UUID, Account], legs: Iterable[Leg]) -> dict[uuid.UUID, Balances]:
    """Every involved account's balances after ``legs``; refuses an overdraft."""
    after = {account_id: account.balances for account_id, account in accounts.items()}
    for leg in legs:
        after[leg.account_id] = after[leg.account_id].apply(leg)
    for account_id, balances in after.items():
        account = accounts[account_id]
        if account.non_negative and balances.available(account.normal) < 0:
            raise InsufficientFunds(account_id)
        if not balances.consistent():
            raise Invalid("inconsistent_release", "A release takes back more than is pending.")
    return after


@dataclass(frozen=True)
class Hold:
    """A pending transfer: ``amount`` reserved from ``debit`` for ``credit``."""

    id: uuid.UUID
    debit_account_id: uuid.UUID
    credit_account_id: uuid.UUID
    amount: int
    currency: str


def hold_legs(debit: uuid.UUID, credit: uuid.UUID, amount: int) -> list[Leg]:
    return transfer(debit, credit, check_amount(amount), "pending")


def resolution_legs(hold: Hold, outcome: HoldOutcome, captured: int | None) -> list[Leg]:
    """The legs that resolve ``hold``: release everything pending, post what is captured.

    A capture posts ``captured`` (the held amount when None; never more, never zero);
    a release or an expiry posts nothing.
    """
    legs = [
        Leg(hold.debit_account_id, "debit", -hold.amount, "pending"),
        Leg(hold.credit_account_id, "credit", -hold.amount, "pending"),
    ]
    if outcome != "capture":
        if captured is not None:
            raise Invalid("amount_not_allowed", "Only a capture takes an amount.")
        return legs
    amount = hold.amount if captured is None else check_amount(captured)
    if amount > hold.amount:
        raise Invalid("capture_exceeds_hold", f"At most {hold.amount} can be captured from this hold.")
    return legs + transfer(hold.debit_account_id, hold.credit_account_id, amount)
