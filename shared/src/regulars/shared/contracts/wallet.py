"""The wallet service's contracts: its internal API (the ledger, gift cards) and the events it publishes.

Both sides validate with these models: the gateway before it calls (and in the public OpenAPI
document), the wallet when it is called and when it answers. Money is always an integer amount
of minor units (``amount_minor``: cents for EUR) with its ISO 4217 currency.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from regulars.shared.contracts.dates import Moment

MAX_AMOUNT_MINOR = 10**12
"""Far above any real movement of a booking business (ten billion euros), far below BIGINT."""

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
AmountMinor = Annotated[int, Field(gt=0, le=MAX_AMOUNT_MINOR, description="Minor units of the currency")]
RefValue = Annotated[str, Field(min_length=1, max_length=200)]
Refs = Annotated[
    dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")], RefValue],
    Field(max_length=10, description="What a movement concerns (booking_id, order, …)"),
]
Side = Literal["debit", "credit"]
Phase = Literal["posted", "pending"]
Normal = Literal["debit", "credit"]
HoldState = Literal["pending", "captured", "released", "expired"]
TransactionKind = Literal[
    "payment",
    "refund",
    "giftcard_purchase",
    "load",
    "redemption",
    "hold",
    "capture",
    "release",
    "expiry",
    "adjustment",
    "fee",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- The ledger: requests ------------------------------------------------------------


class AdjustmentRequest(Strict):
    """Correct an account by a posted movement against the business's adjustments account."""

    account_id: uuid.UUID
    direction: Literal["increase", "decrease"] = Field(description="The account's balance goes up or down")
    amount_minor: AmountMinor
    currency: Currency
    reason: str = Field(min_length=1, max_length=500, description="Why; kept with the movement for good")


class HoldRequest(Strict):
    """Reserve part of an account's balance for the business until captured, released or expired."""

    account_id: uuid.UUID = Field(description="The account the value is held from (a gift card's)")
    amount_minor: AmountMinor
    currency: Currency
    expires_at: Moment | None = Field(None, description="Released by the expiry job after this time")
    refs: Refs = Field(default_factory=dict)


class HoldCapture(Strict):
    amount_minor: AmountMinor | None = Field(None, description="Less than held, or leave out for all of it")


class HoldRelease(Strict):
    """Release a hold: nothing is posted (no body needed)."""


class EntriesQuery(BaseModel):
    before_version: int | None = Field(None, ge=1, description="Entries older than this account version")
    limit: int = Field(50, ge=1, le=200)


# --- The ledger: answers -------------------------------------------------------------


class LedgerAccount(BaseModel):
    id: uuid.UUID
    name: str
    currency: Currency
    normal: Normal = Field(description="credit: a liability or income (a gift card); debit: an asset")
    non_negative: bool = Field(description="Its available balance never goes below zero")
    posted_minor: int = Field(description="Balance of posted entries, in the account's direction")
    held_minor: int = Field(description="What pending holds take out of it")
    available_minor: int = Field(description="posted - held")
    version: int = Field(description="Rises by one with every entry")


class LedgerAccountList(BaseModel):
    accounts: list[LedgerAccount]


class LedgerLeg(BaseModel):
    account_id: uuid.UUID
    side: Side
    phase: Phase
    amount_minor: int = Field(description="Negative only where a hold's resolution releases its pending legs")


class LedgerTransaction(BaseModel):
    id: uuid.UUID
    kind: TransactionKind
    currency: Currency
    reason: str | None
    refs: dict[str, str]
    recorded_at: datetime
    legs: list[LedgerLeg]


class LedgerEntry(BaseModel):
    transaction_id: uuid.UUID
    kind: TransactionKind
    side: Side
    phase: Phase
    amount_minor: int
    account_version: int
    recorded_at: datetime
    reason: str | None


class LedgerEntries(BaseModel):
    account: LedgerAccount
    entries: list[LedgerEntry] = Field(description="Newest first")
    next_before_version: int | None = Field(None, description="Pass as before_version for older entries")


class LedgerHold(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    credit_account_id: uuid.UUID
    amount_minor: int
    currency: Currency
    state: HoldState
    expires_at: datetime | None
    resolved_at: datetime | None
