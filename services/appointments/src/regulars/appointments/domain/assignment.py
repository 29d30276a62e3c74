"""When a booking is assigned to a client account (R-A6, R-A7, R-A8). Pure decisions."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

AssignedHow = Literal["signed_in", "claimed_on_verification", "staff_booked", "staff_assigned"]


@dataclass(frozen=True)
class Decision:
    account_id: uuid.UUID | None
    how: AssignedHow | None
    # A guest booking made when no account had its email may be claimed later,
    # once an account with that email is verified (R-A6); one made while such an
    # account existed never is (R-A7).
    claimable: bool


def for_client_booking(signed_in_account: uuid.UUID | None, account_with_email_exists: bool) -> Decision:
    """A booking made on the widget."""
    if signed_in_account is not None:
        return Decision(signed_in_account, "signed_in", claimable=False)
    return Decision(None, None, claimable=not account_with_email_exists)


def for_staff_booking(
    accounts_on_email_bookings: Collection[uuid.UUID], verified_account_with_email: uuid.UUID | None
) -> Decision:
    """A booking staff made for a client with an email address (R-A6, R-A7).

    ``accounts_on_email_bookings`` are the distinct accounts that the email's earlier
    bookings are assigned to.
    """
    distinct = set(accounts_on_email_bookings)
    if len(distinct) > 1:
        return Decision(None, None, claimable=False)
    if len(distinct) == 1:
        return Decision(next(iter(distinct)), "staff_booked", claimable=False)
    if verified_account_with_email is not None:
        return Decision(verified_account_with_email, "staff_booked", claimable=False)
    return Decision(None, None, claimable=True)


def bulk_assignable(accounts_on_client_bookings: Collection[uuid.UUID | None]) -> uuid.UUID | None:
    """The account all of one client's bookings may be assigned to at once, if any (R-A8).

    Only when at least one booking is already assigned and no more than one account is
    linked to them.
    """
    linked = {a for a in accounts_on_client_bookings if a is not None}
    return next(iter(linked)) if len(linked) == 1 else None


def bulk_assign_offered(bookings: int, assigned: int, accounts: int) -> bool:
    """Whether staff are offered "assign all" for a client (R-A8): one linked account and
    something left to assign."""
    return accounts == 1 and assigned < bookings
