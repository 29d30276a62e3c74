"""The signed-in client's own account: profile, email, password, devices, export, deletion (R-I7, R-I8)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Row

from regulars.identity.adapters.tables import client_accounts, client_sessions, client_tokens, pets
from regulars.identity.domain import limits
from regulars.identity.domain.accounts import NOT_NULLABLE, AnyPassword, NewPassword, ProfileChanges
from regulars.identity.domain.errors import Conflict, NoSuch, WrongPassword, invalid_fields
from regulars.identity.service_layer.clients import (
    Identity,
    account_by_email,
    account_by_id,
    account_view,
    addressed,
    business_for_clients,
    event_scope,
    existing_account_claimed,
    issue_token,
    profile_event,
    retire_tokens,
    revoke_sessions,
    widget_link,
)
from regulars.shared import ratelimit as rl
from regulars.shared.contracts.identity import (
    BusinessSnapshot,
    ClientAccount,
    ClientDeleted,
    ClientSession,
    EmailChangeRequested,
    PasswordChanged,
)
from regulars.shared.db.rows import model_of
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import Email


@dataclass(frozen=True)
class Me:
    """The signed-in client as the gateway vouches for it: account, session, business."""

    business: BusinessSnapshot
    account_id: uuid.UUID
    session_id: uuid.UUID | None


class EmailChange(BaseModel):
    """The new address, and the password that proves it is the client asking."""

    model_config = ConfigDict(extra="forbid")
    new_email: Email
    password: AnyPassword


class PasswordChange(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")
    current_password: AnyPassword
    new_password: NewPassword


class PasswordConfirmation(BaseModel):
    """The password, asked again before deleting the account."""

    model_config = ConfigDict(extra="forbid")
    password: AnyPassword


async def whoami(
    ident: Identity,
    slug: str,
    business_id: uuid.UUID | None,
    account_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
) -> Me:
    """Re-check what the gateway passes (the principal's business and account): the business of
    the path and an account of its scope."""
    async with ident.engine.connect() as conn:
        business = await business_for_clients(conn, slug)
        if account_id is None or business_id != business.business_id:
            raise NoSuch()
        await account_by_id(conn, business, account_id)
    return Me(business, account_id, session_id)


async def get_profile(ident: Identity, me: Me) -> ClientAccount:
    """The signed-in client's account."""
    async with ident.engine.connect() as conn:
        return account_view(await account_by_id(conn, me.business, me.account_id))


async def update_profile(ident: Identity, me: Me, changes: ProfileChanges, now: datetime) -> ClientAccount:
    """Change what was sent; emits ``identity.client.profile_updated.v1`` naming the fields (R-I8)."""
    sent = changes.model_dump(mode="json", exclude_unset=True)
    cleared = [name for name in NOT_NULLABLE if name in sent and sent[name] is None]
    if cleared:
        raise invalid_fields(cleared, "required", "cannot be empty")
    wanted = changes.model_dump(exclude_unset=True)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_id(uow.conn, me.business, me.account_id, for_update=True)
        changed = sorted(name for name, value in wanted.items() if getattr(account, name) != value)
        if changed:
            values = {name: wanted[name] for name in changed}
            await uow.conn.execute(
                sa.update(client_accounts)
                .where(client_accounts.c.account_id == me.account_id)
                .values(**values, updated_at=now)
            )
            account = await account_by_id(uow.conn, me.business, me.account_id)
            await uow.publish(profile_event(me.business, account, changed))
    return account_view(account)


async def _check_password(ident: Identity, me: Me, account: Row[Any], password: str, now: datetime) -> None:
    """A signed-in client proves it is them; limited per account, so a stolen session cannot guess."""
    await rl.enforce(ident.engine, limits.PASSWORD_CHECK_PER_ACCOUNT, rl.bucket_key(me.account_id), now)
    if not await ident.hashing.verify(account.password_hash, password):
        raise WrongPassword()


async def request_email_change(ident: Identity, me: Me, form: EmailChange, now: datetime) -> None:
    """A link to the new address and a notice to the old; the change applies when the link is followed."""
    async with ident.engine.connect() as conn:
        account = await account_by_id(conn, me.business, me.account_id)
    await _check_password(ident, me, account, form.password, now)
    async with UnitOfWork(ident.engine) as uow:
        taken = await account_by_email(uow.conn, me.business, form.new_email)
        if taken is not None:
            if taken.account_id == account.account_id:
                raise Conflict("email_unchanged", "This is already your address.")
            # Said to the new address only, never to the requester (no enumeration).
            await uow.publish(existing_account_claimed(ident, me.business, taken))
            return
        await retire_tokens(uow.conn, account.account_id, "email_change", now)
        secret, _ = await issue_token(
            uow, me.business, account.account_id, "email_change", now, new_email=form.new_email
        )
        await uow.publish(
            EmailChangeRequested(
                **addressed(me.business, account.email, account.locale, account.account_id),
                first_name=account.first_name,
                new_email=form.new_email,
                link=widget_link(ident, me.business, "confirm-email", secret),
            )
        )


async def change_password(ident: Identity, me: Me, form: PasswordChange, now: datetime) -> None:
    """New password; every other session is revoked and the client is told (R-I7)."""
    async with ident.engine.connect() as conn:
        account = await account_by_id(conn, me.business, me.account_id)
    await _check_password(ident, me, account, form.current_password, now)
    password_hash = await ident.hashing.hash(form.new_password)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_id(uow.conn, me.business, me.account_id, for_update=True)
        await uow.conn.execute(
            sa.update(client_accounts)
            .where(client_accounts.c.account_id == me.account_id)
            .values(password_hash=password_hash, updated_at=now)
        )
        await retire_tokens(uow.conn, me.account_id, "password_reset", now)
        await revoke_sessions(uow, me.business, account, "password_changed", now, keep=me.session_id)
        await uow.publish(
            PasswordChanged(
                **addressed(me.business, account.email, account.locale, account.account_id),
                first_name=account.first_name,
            )
        )


async def list_sessions(ident: Identity, me: Me, now: datetime) -> list[ClientSession]:
    """The client's live sessions (signed-in devices), most recently seen first."""
    async with ident.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(client_sessions)
            .where(
                client_sessions.c.account_id == me.account_id,
                client_sessions.c.revoked_at.is_(None),
                client_sessions.c.expires_at > now,
            )
            .order_by(client_sessions.c.last_seen_at.desc())
        )
        return [model_of(ClientSession, row, current=row.session_id == me.session_id) for row in rows]


async def sign_out_session(ident: Identity, me: Me, session_id: uuid.UUID, now: datetime) -> None:
    """Sign one device out; another account's session id is simply not found (R-T4)."""
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_id(uow.conn, me.business, me.account_id)
        if not await revoke_sessions(uow, me.business, account, "signed_out_by_client", now, only=session_id):
            raise NoSuch("Session")


async def export_account(ident: Identity, me: Me, now: datetime) -> dict[str, Any]:
    """Everything identity holds about the client, staff-only pet fields excepted (R-I9)."""
    async with ident.engine.connect() as conn:
        account = await account_by_id(conn, me.business, me.account_id)
        sessions = await conn.execute(
            sa.select(client_sessions).where(client_sessions.c.account_id == me.account_id).order_by("created_at")
        )
        links = await conn.execute(
            sa.select(*client_tokens.c["purpose", "new_email", "created_at", "expires_at", "used_at"])
            .where(client_tokens.c.account_id == me.account_id)
            .order_by(client_tokens.c.created_at)
        )
        pet_rows = await conn.execute(
            sa.select(pets).where(pets.c.account_id == me.account_id).order_by(pets.c.created_at)
        )
        from regulars.identity.service_layer.pets import pet_view  # one module per aggregate; no cycle at import

        return {
            "exported_at": now.isoformat(),
            "account": {
                **account_view(account).model_dump(mode="json"),
                "email_verified_at": account.email_verified_at,
                "updated_at": account.updated_at,
                "last_sign_in_at": account.last_sign_in_at,
                "organization": me.business.org_name,
                "signup_business_id": account.signup_business_id,
            },
            "sessions": [
                {
                    "session_id": s.session_id,
                    "created_at": s.created_at,
                    "last_seen_at": s.last_seen_at,
                    "expires_at": s.expires_at,
                    "revoked_at": s.revoked_at,
                    "ip": s.ip,
                    "user_agent": s.user_agent,
                }
                for s in sessions
            ],
            "emailed_links": [dict(link._mapping) for link in links],
            "pets": [pet_view(p).model_dump(mode="json") for p in pet_rows],
        }


async def delete_account(ident: Identity, me: Me, form: PasswordConfirmation, now: datetime) -> None:
    """Delete the account with its sessions, links and pets; every service is told (R-T5)."""
    async with ident.engine.connect() as conn:
        account = await account_by_id(conn, me.business, me.account_id)
    await _check_password(ident, me, account, form.password, now)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_id(uow.conn, me.business, me.account_id, for_update=True)
        await delete_accounts(uow, me.business, [account])


async def delete_accounts(uow: UnitOfWork, business: BusinessSnapshot, accounts: list[Row[Any]]) -> None:
    """Delete rows (sessions, tokens and pets go with them) and emit ``identity.client.deleted.v1`` each."""
    for account in accounts:
        await uow.conn.execute(sa.delete(client_accounts).where(client_accounts.c.account_id == account.account_id))
        await uow.publish(ClientDeleted(**event_scope(business, account)))
