"""Stored cards (R-W7): add one through the provider's card form, list them, remove one.

A card belongs to one client account within its organization (a ``global`` client database
shares it between the organization's businesses), and every read and write is scoped by both:
another account's card is not found. All that is kept is what ``CardDetails`` holds; the
provider's customer for the account is made on the first card. The same card added again (same
fingerprint) is the card already stored. The first card is the default; removing the default
makes the most recently added remaining card the default.

Each account's changes are serialised by locking its customer row, so two concurrent adds or
removals cannot leave two defaults or none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.wallet.adapters.tables import payment_customers, stored_cards
from regulars.wallet.domain.errors import CardNotFound, CardSetupIncomplete
from regulars.wallet.service_layer.payment_provider import CardDetails, CardSetup, PaymentProvider


@dataclass(frozen=True)
class CardOwner:
    """The client account a card belongs to, and the business it is acting at."""

    org_id: uuid.UUID
    business_id: uuid.UUID
    account_id: uuid.UUID


@dataclass(frozen=True)
class StoredCard:
    """A stored card as its owner sees it (never its token)."""

    card_id: uuid.UUID
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool
    added_at: datetime


@dataclass(frozen=True)
class ChargeableCard:
    """What a payment needs of a stored card: the provider's customer and the card's token."""

    customer: str
    token: str


def _owned_by(owner: CardOwner) -> sa.ColumnElement[bool]:
    return (
        (stored_cards.c.org_id == owner.org_id)
        & (stored_cards.c.account_id == owner.account_id)
        & stored_cards.c.removed_at.is_(None)
    )


def _customer_of(owner: CardOwner, provider: PaymentProvider) -> sa.ColumnElement[bool]:
    return (
        (payment_customers.c.org_id == owner.org_id)
        & (payment_customers.c.account_id == owner.account_id)
        & (payment_customers.c.provider == provider.name)
    )


async def _customer(conn: AsyncConnection, owner: CardOwner, provider: PaymentProvider, lock: bool) -> str | None:
    query = sa.select(payment_customers.c.customer_ref).where(_customer_of(owner, provider))
    found: str | None = await conn.scalar(query.with_for_update() if lock else query)
    return found


async def start_adding_card(
    engine: AsyncEngine, provider: PaymentProvider, owner: CardOwner, email: str | None, now: datetime
) -> CardSetup:
    """Start saving a card for the account (its provider customer made on first use); the browser's
    card form confirms the answer's ``client_secret`` with the provider, then ``add_card``."""
    async with engine.connect() as conn:
        customer = await _customer(conn, owner, provider, lock=False)
    if customer is None:
        made = await provider.create_customer(email=email, reference=f"account:{owner.account_id}")
        async with UnitOfWork(engine) as uow:
            values = {"org_id": owner.org_id, "account_id": owner.account_id, "provider": provider.name}
            await uow.conn.execute(
                insert(payment_customers).values(**values, customer_ref=made, created_at=now).on_conflict_do_nothing()
            )
            # A concurrent first card may have made the customer first: that one is the account's.
            customer = await _customer(uow.conn, owner, provider, lock=False)
        assert customer is not None
    return await provider.start_card_setup(customer)


async def add_card(
    engine: AsyncEngine, provider: PaymentProvider, owner: CardOwner, setup_id: str, now: datetime
) -> StoredCard:
    """Store the card the card form saved in ``setup_id``; the same card again is the one stored."""
    async with engine.connect() as conn:
        customer = await _customer(conn, owner, provider, lock=False)
    if customer is None:
        raise CardSetupIncomplete()
    # The provider checks that the setup is this account's customer's: another's is refused.
    details = await provider.finish_card_setup(customer, setup_id)
    async with UnitOfWork(engine) as uow:
        await _customer(uow.conn, owner, provider, lock=True)
        c = stored_cards.c
        same = (
            await uow.conn.execute(
                sa.select(c.id, c.token).where(_owned_by(owner), c.fingerprint == details.fingerprint)
            )
        ).first()
        card_id = same.id if same else await _insert(uow.conn, provider, owner, details, now)
        cards = await list_cards(uow.conn, owner)
    if same is not None and same.token != details.token:
        await provider.remove_card(details.token)  # the second copy of a card already stored
    return next(card for card in cards if card.card_id == card_id)


async def _insert(
    conn: AsyncConnection, provider: PaymentProvider, owner: CardOwner, details: CardDetails, now: datetime
) -> uuid.UUID:
    has_default = await conn.scalar(sa.select(sa.exists().where(_owned_by(owner), stored_cards.c.is_default)))
    made: uuid.UUID = await conn.scalar(
        insert(stored_cards)
        .values(
            org_id=owner.org_id,
            account_id=owner.account_id,
            business_id=owner.business_id,
            provider=provider.name,
            token=details.token,
            brand=details.brand,
            last4=details.last4,
            exp_month=details.exp_month,
            exp_year=details.exp_year,
            fingerprint=details.fingerprint,
            is_default=not has_default,
            created_at=now,
        )
        .returning(stored_cards.c.id)
    )
    return made


async def list_cards(conn: AsyncConnection, owner: CardOwner) -> list[StoredCard]:
    """The account's cards, the default first, then the newest."""
    c = stored_cards.c
    rows = await conn.execute(
        sa.select(c.id, c.brand, c.last4, c.exp_month, c.exp_year, c.is_default, c.created_at)
        .where(_owned_by(owner))
        .order_by(c.is_default.desc(), c.created_at.desc(), c.id)
    )
    return [StoredCard(*row) for row in rows]


async def chargeable_card(
    conn: AsyncConnection, provider: PaymentProvider, owner: CardOwner, card_id: uuid.UUID
) -> ChargeableCard:
    """The customer and token a payment with the account's card ``card_id`` uses."""
    token = await conn.scalar(sa.select(stored_cards.c.token).where(_owned_by(owner), stored_cards.c.id == card_id))
    customer = await _customer(conn, owner, provider, lock=False)
    if token is None or customer is None:
        raise CardNotFound()
    return ChargeableCard(customer, token)


async def remove_card(
    engine: AsyncEngine, provider: PaymentProvider, owner: CardOwner, card_id: uuid.UUID, now: datetime
) -> None:
    """Remove the account's card: it is detached at the provider and no longer listed or charged."""
    async with UnitOfWork(engine) as uow:
        await _customer(uow.conn, owner, provider, lock=True)
        removed = (
            await uow.conn.execute(
                sa.update(stored_cards)
                .where(_owned_by(owner), stored_cards.c.id == card_id)
                .values(removed_at=now, is_default=False)
                .returning(stored_cards.c.token)
            )
        ).scalar()
        if removed is None:
            raise CardNotFound()
        await _promote_newest(uow.conn, owner)
        # Inside the transaction: if the provider cannot detach it, the card stays as it was.
        await provider.remove_card(removed)


async def _promote_newest(conn: AsyncConnection, owner: CardOwner) -> None:
    """Make the newest card the default when the account has cards and none is."""
    c = stored_cards.c
    if await conn.scalar(sa.select(sa.exists().where(_owned_by(owner), c.is_default))):
        return
    newest = sa.select(c.id).where(_owned_by(owner)).order_by(c.created_at.desc(), c.id).limit(1).scalar_subquery()
    await conn.execute(sa.update(stored_cards).where(c.id == newest).values(is_default=True))
