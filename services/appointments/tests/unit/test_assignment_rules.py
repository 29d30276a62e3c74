"""The assignment decisions of R-A6, R-A7 and R-A8, without I/O."""

from __future__ import annotations

import uuid

from regulars.appointments.domain.assignment import bulk_assignable, for_client_booking, for_staff_booking

ONE = uuid.UUID(int=1)
TWO = uuid.UUID(int=2)


def test_r_a6_booked_while_signed_in_is_assigned() -> None:
    decision = for_client_booking(ONE, account_with_email_exists=True)
    assert (decision.account_id, decision.how, decision.claimable) == (ONE, "signed_in", False)


def test_r_a6_guest_before_account_existed_is_claimable() -> None:
    decision = for_client_booking(None, account_with_email_exists=False)
    assert decision.account_id is None
    assert decision.claimable


def test_r_a7_guest_while_account_existed_is_never_claimed() -> None:
    decision = for_client_booking(None, account_with_email_exists=True)
    assert decision.account_id is None
    assert not decision.claimable


def test_r_a6_staff_booked_follows_the_one_account_of_the_email() -> None:
    assert for_staff_booking([ONE, ONE], None).account_id == ONE
    assert for_staff_booking([], TWO).account_id == TWO
    assert for_staff_booking([], None).claimable


def test_r_a7_staff_booked_not_assigned_when_email_on_two_accounts() -> None:
    decision = for_staff_booking([ONE, TWO], ONE)
    assert decision.account_id is None
    assert not decision.claimable


def test_r_a8_bulk_only_with_exactly_one_linked_account() -> None:
    assert bulk_assignable([ONE, None, None]) == ONE
    assert bulk_assignable([None, None]) is None
    assert bulk_assignable([ONE, TWO, None]) is None
