"""The ledger's pure rules: balanced legs, available balances, hold resolutions."""

from __future__ import annotations

import uuid

import pytest

from regulars.wallet.domain import ledger
from regulars.wallet.domain.errors import InsufficientFunds, Invalid

CARD, REVENUE = sorted([uuid.uuid4(), uuid.uuid4()])


def account(account_id: uuid.UUID, balances: ledger.Balances, non_negative: bool = True) -> ledger.Account:
    return ledger.Account(account_id, uuid.uuid4(), "EUR", "credit", non_negative, balances, 0)


def test_a_transaction_must_balance_in_each_phase_and_move_positive_amounts() -> None:
    ledger.check_balanced(ledger.transfer(CARD, REVENUE, 100))
    with pytest.raises(Invalid, match="differ"):
        ledger.check_balanced([ledger.Leg(CARD, "debit", 100), ledger.Leg(REVENUE, "credit", 90)])
    with pytest.raises(Invalid, match="differ"):
        ledger.check_balanced([ledger.Leg(CARD, "debit", 100), ledger.Leg(REVENUE, "credit", 100, "pending")])
    for bad in (0, -5, True, 10**16):
        with pytest.raises(Invalid):
            ledger.check_balanced(ledger.transfer(CARD, REVENUE, bad))
    with pytest.raises(Invalid):
        ledger.check_balanced(ledger.transfer(CARD, CARD, 5))
    with pytest.raises(Invalid):
        ledger.check_currency("eur")


def test_available_is_posted_less_pending_holds_and_an_overdraft_is_refused() -> None:
    card = account(CARD, ledger.Balances(credits_posted=1000, debits_posted=200, debits_pending=300))
    assert (card.balances.posted("credit"), card.balances.available("credit")) == (800, 500)
    accounts = {CARD: card, REVENUE: account(REVENUE, ledger.Balances(), non_negative=False)}
    after = ledger.apply_legs(accounts, ledger.transfer(CARD, REVENUE, 500))
    assert after[CARD].available("credit") == 0
    with pytest.raises(InsufficientFunds):
        ledger.apply_legs(accounts, ledger.transfer(CARD, REVENUE, 501))


def test_a_hold_is_released_whole_and_captured_for_at_most_its_amount() -> None:
    hold = ledger.Hold(uuid.uuid4(), CARD, REVENUE, 300, "EUR")
    release = ledger.resolution_legs(hold, "release", None)
    assert [leg.amount for leg in release] == [-300, -300]
    captured = ledger.resolution_legs(hold, "capture", 120)
    ledger.check_balanced(captured, releases=True)
    assert [(leg.phase, leg.amount) for leg in captured[2:]] == [("posted", 120), ("posted", 120)]
    with pytest.raises(Invalid, match="At most 300"):
        ledger.resolution_legs(hold, "capture", 301)
    with pytest.raises(Invalid):
        ledger.check_balanced(release)  # negative legs only in a resolution
