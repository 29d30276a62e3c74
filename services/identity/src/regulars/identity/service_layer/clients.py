"""What the client-account use cases share: scope, loading, views, sessions, emails."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.adapters.tables import businesses, client_accounts, client_sessions, client_tokens
from regulars.identity.domain import tokens
from regulars.identity.domain.errors import BusinessNotFound, LoginsDisabled, NoSuch, TokenRefused
from regulars.identity.service_layer.businesses import get_business_by_slug, snapshot_of
from regulars.shared import links
from regulars.shared.contracts.identity import (
    BusinessSnapshot,
    ClientAccount,
    ClientEvent,
    ClientProfileUpdated,
    ExistingAccountClaimed,
    SessionRevoked,
    SessionToken,
)
from regulars.shared.db.rows import model_of
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.locale import negotiate_locale


@dataclass(frozen=True)
class Identity:
    """What the use cases need besides a transaction: the database, hashing, links, lifetimes."""

    engine: AsyncEngine
    hashing: PasswordHashing
    public_url: str
    session_days: int = 30


@dataclass(frozen=True)
class Caller:
    """The client's network address and device, as the gateway saw them; ``device_id`` comes
    from the gateway's signed device cookie (or is the one it sets with this answer)."""

    ip: str | None = None
    user_agent: str | None = None
    device_id: str | None = None


async def business_for_clients(conn: AsyncConnection, slug: str) -> BusinessSnapshot:
    """The business of a client endpoint; 404 when it has client logins off (R-S1)."""
    business = await get_business_by_slug(conn, slug)
    if business.settings.client_logins == "off":
        raise LoginsDisabled()
    return business


def scope_business_id(business: BusinessSnapshot) -> uuid.UUID | None:
    """None when accounts belong to the organization (global client database, R-T2)."""
    return None if business.client_database == "global" else business.business_id


def in_scope(business: BusinessSnapshot) -> list[Any]:
    """Conditions selecting the accounts a business's widget may use (R-T2, R-T4)."""
    scope = scope_business_id(business)
    return [
        client_accounts.c.org_id == business.org_id,
        client_accounts.c.scope_business_id.is_(None)
        if scope is None
        else client_accounts.c.scope_business_id == scope,
    ]


async def account_by_email(conn: AsyncConnection, business: BusinessSnapshot, email: str) -> Row[Any] | None:
    """The account with this (normalised) email in the business's scope, or None."""
    return (
        await conn.execute(sa.select(client_accounts).where(*in_scope(business), client_accounts.c.email == email))
    ).first()


async def account_by_id(
    conn: AsyncConnection, business: BusinessSnapshot, account_id: uuid.UUID, *, for_update: bool = False
) -> Row[Any]:
    """The account in the business's scope (optionally locked); 404 otherwise (R-T4)."""
    query = sa.select(client_accounts).where(*in_scope(business), client_accounts.c.account_id == account_id)
    if for_update:
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise NoSuch()
    return row


def account_view(row: Row[Any]) -> ClientAccount:
    """The account as the client sees it."""
    return model_of(
        ClientAccount,
        row,
        email_verified=row.email_verified_at is not None,
        account_scope="organization" if row.scope_business_id is None else "business",
    )


def event_scope(business: BusinessSnapshot, account: Row[Any]) -> dict[str, Any]:
    """The tenant fields every client event carries."""
    return {
        "org_id": business.org_id,
        "business_id": business.business_id,
        "account_id": account.account_id,
        "account_scope_business_id": account.scope_business_id,
    }


E = TypeVar("E", bound=ClientEvent)


def client_event(event: type[E], business: BusinessSnapshot, account: Row[Any], **fields: Any) -> E:
    """An event about ``account`` on ``business``: its tenant fields, the account's columns of the
    event's field names (email, names, phone…) as they are in the row, and ``fields``."""
    return model_of(event, account, **event_scope(business, account), **fields)


def profile_event(business: BusinessSnapshot, account: Row[Any], changed: list[str]) -> ClientProfileUpdated:
    """``identity.client.profile_updated.v1`` for the account as it is now, naming ``changed``."""
    birthday = account.birthday.isoformat() if account.birthday else None
    return client_event(ClientProfileUpdated, business, account, changed=changed, birthday=birthday)


async def insert_account(
    conn: AsyncConnection, business: BusinessSnapshot, email: str, now: datetime, **profile: Any
) -> Row[Any]:
    """A new account in the business's scope (R-T2), signed up on it; its row."""
    return (
        await conn.execute(
            sa.insert(client_accounts)
            .values(
                account_id=uuid.uuid4(),
                org_id=business.org_id,
                scope_business_id=scope_business_id(business),
                signup_business_id=business.business_id,
                email=email,
                created_at=now,
                **profile,
            )
            .returning(*client_accounts.c)
        )
    ).one()


async def open_session(
    uow: UnitOfWork, ident: Identity, business: BusinessSnapshot, account_id: uuid.UUID, caller: Caller, now: datetime
) -> tuple[SessionToken, Row[Any]]:
    """A new session, and the account as it is now (its last sign-in updated)."""
    secret = tokens.new_secret(tokens.SESSION_PREFIX)
    expires_at = now + timedelta(days=ident.session_days)
    await uow.conn.execute(
        sa.insert(client_sessions).values(
            session_id=uuid.uuid4(),
            account_id=account_id,
            business_id=business.business_id,
            token_hash=tokens.digest(secret),
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            ip=caller.ip,
            user_agent=(caller.user_agent or "")[:300] or None,
            device_id=caller.device_id,
        )
    )
    account = (
        await uow.conn.execute(
            sa.update(client_accounts)
            .where(client_accounts.c.account_id == account_id)
            .values(last_sign_in_at=now)
            .returning(*client_accounts.c)
        )
    ).one()
    return SessionToken(token=secret, expires_at=expires_at), account


async def revoke_sessions(
    uow: UnitOfWork,
    business: BusinessSnapshot,
    account: Row[Any],
    reason: Any,
    now: datetime,
    *,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> int:
    """Revoke live sessions of ``account`` (one, or all but one); one event each."""
    conditions = [
        client_sessions.c.account_id == account.account_id,
        client_sessions.c.revoked_at.is_(None),
        client_sessions.c.expires_at > now,
    ]
    if only is not None:
        conditions.append(client_sessions.c.session_id == only)
    if keep is not None:
        conditions.append(client_sessions.c.session_id != keep)
    revoked = (
        await uow.conn.execute(
            sa.update(client_sessions).where(*conditions).values(revoked_at=now).returning(client_sessions.c.session_id)
        )
    ).scalars()
    count = 0
    for session_id in revoked:
        count += 1
        await uow.publish(SessionRevoked(**event_scope(business, account), session_id=session_id, reason=reason))
    return count


async def issue_token(
    uow: UnitOfWork,
    business: BusinessSnapshot,
    account_id: uuid.UUID,
    purpose: tokens.TokenPurpose,
    now: datetime,
    *,
    new_email: str | None = None,
    with_code: bool = False,
) -> tuple[str, str | None]:
    """A one-time secret (and a short code for verification) whose digests are stored."""
    secret = tokens.new_secret(tokens.LINK_PREFIX)
    token_hash = tokens.digest(secret)
    code = tokens.new_code() if with_code else None
    await uow.conn.execute(
        sa.insert(client_tokens).values(
            token_hash=token_hash,
            purpose=purpose,
            account_id=account_id,
            business_id=business.business_id,
            new_email=new_email,
            code_hash=tokens.code_digest(token_hash, code) if code else None,
            created_at=now,
            expires_at=now + tokens.LIFETIMES[purpose],
        )
    )
    return secret, code


async def retire_tokens(
    conn: AsyncConnection, account_id: uuid.UUID, purpose: tokens.TokenPurpose, now: datetime
) -> None:
    """Older links of this purpose stop working (a newer one, or the change, supersedes them)."""
    await conn.execute(
        sa.update(client_tokens)
        .where(
            client_tokens.c.account_id == account_id,
            client_tokens.c.purpose == purpose,
            client_tokens.c.used_at.is_(None),
        )
        .values(used_at=now)
    )


async def redeem_token(
    uow: UnitOfWork, business: BusinessSnapshot, secret: str, purpose: tokens.TokenPurpose, now: datetime
) -> tuple[Row[Any], Row[Any]]:
    """Mark a one-time token used; its row and its account (locked); ``TokenRefused`` otherwise."""
    row = (
        await uow.conn.execute(
            sa.select(client_tokens)
            .where(client_tokens.c.token_hash == tokens.digest(secret), client_tokens.c.purpose == purpose)
            .with_for_update()
        )
    ).first()
    account = None
    if row is not None:
        account = (
            await uow.conn.execute(
                sa.select(client_accounts)
                .where(*in_scope(business), client_accounts.c.account_id == row.account_id)
                .with_for_update()
            )
        ).first()
    if row is None or account is None:  # unknown, or another scope's token: the same answer
        raise TokenRefused("token_invalid")
    if row.used_at is not None:
        raise TokenRefused("token_used")
    if row.expires_at <= now:
        raise TokenRefused("token_expired")
    await uow.conn.execute(
        sa.update(client_tokens).where(client_tokens.c.token_hash == row.token_hash).values(used_at=now)
    )
    return row, account


def addressed(
    business: BusinessSnapshot, to_email: str, locale: str | None, account_id: uuid.UUID | None
) -> dict[str, Any]:
    """The common fields of a fact identity tells a client about (``AccountNotice``)."""
    return {
        "org_id": business.org_id,
        "business_id": business.business_id,
        "account_id": account_id,
        "to_email": to_email,
        "locale": negotiate_locale(locale, business.default_locale),
    }


def existing_account_claimed(ident: Identity, business: BusinessSnapshot, account: Row[Any]) -> ExistingAccountClaimed:
    """Tell an account that someone gave its address (a sign-up, an email change): how to sign
    in or reset its password; the one who gave it learns nothing."""
    return ExistingAccountClaimed(
        **addressed(business, account.email, account.locale, account.account_id),
        first_name=account.first_name,
        sign_in_link=widget_link(ident, business, "sign-in"),
        reset_link=widget_link(ident, business, "forgot-password"),
    )


def widget_link(ident: Identity, business: BusinessSnapshot, page: str, token: str | None = None) -> str:
    """A link into the business's widget (``page``, with ``token`` if any) for an email."""
    return links.widget_link(ident.public_url, business.slug, page, **({"token": token} if token else {}))


async def business_by_id(conn: AsyncConnection, business_id: uuid.UUID) -> BusinessSnapshot:
    """The business with this id; 404 ``business_not_found`` otherwise."""
    snapshot = await snapshot_of(conn, businesses.c.business_id == business_id)
    if snapshot is None:
        raise BusinessNotFound(str(business_id))
    return snapshot
