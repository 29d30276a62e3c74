"""Sign-up, verification, sign-in, sign-out and recovery (R-I3, R-I4, R-I5).

No answer tells whether an email has an account: register, resend, forgot and
the emailed sign-in link always answer the same, and sign-in checks a dummy hash
for unknown emails so a wrong password and an unknown email cost the same time.
The limits (domain/limits.py) count per email as typed, account or not.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.identity.adapters.tables import client_accounts, client_sessions, client_tokens
from regulars.identity.domain import limits, tokens
from regulars.identity.domain.accounts import AnyPassword, NewPassword, Registration
from regulars.identity.domain.errors import Conflict, Forbidden, InvalidCredentials, NotFound, Rejected, SignInRequired
from regulars.identity.service_layer.clients import (
    Caller,
    Identity,
    account_by_email,
    account_by_id,
    account_view,
    addressed,
    business_for_clients,
    client_event,
    existing_account_claimed,
    insert_account,
    issue_token,
    open_session,
    profile_event,
    redeem_token,
    retire_tokens,
    revoke_sessions,
    scope_business_id,
    widget_link,
)
from regulars.shared import ratelimit as rl
from regulars.shared.contracts.identity import (
    BusinessSnapshot,
    ClientEmailChanged,
    ClientEmailVerified,
    ClientRegistered,
    PasswordChanged,
    PasswordResetRequested,
    ResolvedSession,
    SignedIn,
    SignInLinkRequested,
    VerificationRequested,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.emails import Email

# A business slug, or its snapshot when the caller already checked it offers client logins (R-S1).
BusinessRef = str | BusinessSnapshot

SESSION_TOUCH_SECONDS = 300  # last_seen_at is written at most this often


class EmailOnly(BaseModel):
    """The body of the flows that take only an address (resend, forgot, sign-in link)."""

    model_config = ConfigDict(extra="forbid")
    email: Email


class Credentials(BaseModel):
    """An email and a password to sign in with (R-I4)."""

    model_config = ConfigDict(extra="forbid")
    email: Email
    password: AnyPassword


class Verification(BaseModel):
    """The link's token, or the email and the short code from the same email."""

    model_config = ConfigDict(extra="forbid")
    token: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")

    @model_validator(mode="after")
    def _one_way(self) -> Verification:
        if not self.token and not (self.email and self.code):
            raise ValueError("send the token from the link, or the email and the code")
        return self


class TokenOnly(BaseModel):
    """The token of an emailed link."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)


class PasswordReset(BaseModel):
    """A reset link's token and the new password (R-I5)."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200)
    password: NewPassword


def sign_in_by_email(now: datetime, failures: rl.Recent) -> rl.RateLimited:
    """The per-account ceiling (ASVS 2.2.1): the same answer whether or not the email has an account."""
    return rl.RateLimited(
        limits.LOGIN_FAILURES_PER_ACCOUNT,
        now,
        code="sign_in_by_email",
        message="Too many failed sign-ins with this email address. We can email you a sign-in link instead.",
        retry_after=failures.retry_after(),
    )


def account_key(business: BusinessSnapshot, email: str) -> str:
    """The rate-limit key of an email on this business's client database (account or not)."""
    return rl.bucket_key(business.org_id, scope_business_id(business), email)


async def within_email_cap(conn: AsyncConnection, business: BusinessSnapshot, email: str, now: datetime) -> bool:
    """Count one email that someone else asked to send to this address, in the transaction that
    queues it; False beyond ``EMAILS_PER_ACCOUNT`` (then nothing is sent, and the answer is the same)."""
    counted = await rl.count(conn, limits.EMAILS_PER_ACCOUNT, account_key(business, email), now)
    return counted.total <= limits.EMAILS_PER_ACCOUNT.max_hits


async def _business(ident: Identity, slug: BusinessRef) -> BusinessSnapshot:
    """The business of a client endpoint; a snapshot the caller already checked (R-S1) is taken as is."""
    if isinstance(slug, BusinessSnapshot):
        return slug
    async with ident.engine.connect() as conn:
        return await business_for_clients(conn, slug)


async def register(ident: Identity, slug: BusinessRef, form: Registration, caller: Caller, now: datetime) -> None:
    """Always "verification sent": a new address gets a verification link and code, an
    address with an account gets "you already have one", an unverified one a fresh link."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.REGISTER_PER_IP, rl.bucket_key(caller.ip), now)
    password_hash = await ident.hashing.hash(form.password)  # for every address, so all cost the same
    for attempt in range(2):
        try:
            async with UnitOfWork(ident.engine) as uow:
                await _register_in(uow, ident, business, form, password_hash, now)
            return
        except IntegrityError:  # the same address registered concurrently: the second pass finds it
            if attempt:
                raise


async def _register_in(
    uow: UnitOfWork, ident: Identity, business: BusinessSnapshot, form: Registration, password_hash: str, now: datetime
) -> None:
    existing = await account_by_email(uow.conn, business, form.email)
    may_email = await within_email_cap(uow.conn, business, form.email, now)
    if existing is not None and not may_email:
        return  # a flood of sign-ups with someone's address: no email, and a pending sign-up stays as it is
    locale = form.locale or business.default_locale
    profile = {
        "password_hash": password_hash,
        "first_name": form.first_name,
        "last_name": form.last_name,
        "phone": form.phone,
        "birthday": form.birthday,
        "locale": locale,
        "marketing_opt_in": form.marketing_opt_in,
        "updated_at": now,
    }
    if existing is not None and existing.email_verified_at is not None:
        await uow.publish(existing_account_claimed(ident, business, existing))
        return
    if existing is not None:
        # Never verified: the address is not proven, so the newest sign-up replaces the pending one.
        account_id = existing.account_id
        await uow.conn.execute(
            sa.update(client_accounts).where(client_accounts.c.account_id == account_id).values(**profile)
        )
        await retire_tokens(uow.conn, account_id, "verify_email", now)
    else:
        account = await insert_account(uow.conn, business, form.email, now, **profile)
        account_id = account.account_id
        await uow.publish(client_event(ClientRegistered, business, account))
    if may_email:  # else the new account waits for a resend, like one whose email got lost
        await _send_verification(uow, ident, business, account_id, form.email, form.first_name, locale, now)


async def _send_verification(
    uow: UnitOfWork,
    ident: Identity,
    business: BusinessSnapshot,
    account_id: uuid.UUID,
    email: str,
    first_name: str,
    locale: str,
    now: datetime,
) -> None:
    secret, code = await issue_token(uow, business, account_id, "verify_email", now, with_code=True)
    await uow.publish(
        VerificationRequested(
            **addressed(business, email, locale, account_id),
            first_name=first_name,
            link=widget_link(ident, business, "verify", secret),
            code=code or "",
        )
    )


async def resend_verification(
    ident: Identity, slug: BusinessRef, form: EmailOnly, caller: Caller, now: datetime
) -> None:
    """Always accepted; a fresh link goes to an unverified account, within the per-account limit."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.EMAIL_FLOW_PER_IP, rl.bucket_key(caller.ip), now)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_email(uow.conn, business, form.email)
        if account is None or account.email_verified_at is not None:
            return
        if not await within_email_cap(uow.conn, business, form.email, now):
            return
        await _send_verification(
            uow, ident, business, account.account_id, account.email, account.first_name, account.locale, now
        )


async def verify_email(
    ident: Identity, slug: BusinessRef, proof: Verification, caller: Caller, now: datetime
) -> SignedIn:
    """Verify the address (link token, or email + code) and sign the client in (R-I3)."""
    return await _session_from_email(ident, await _business(ident, slug), proof, "verify_email", caller, now)


async def _session_from_email(
    ident: Identity,
    business: BusinessSnapshot,
    proof: Verification,
    purpose: tokens.TokenPurpose,
    caller: Caller,
    now: datetime,
) -> SignedIn:
    """Redeem an emailed link or code of ``purpose`` for a session; the address is proven by it."""
    await rl.enforce(ident.engine, limits.TOKEN_PER_IP, rl.bucket_key(caller.ip), now)
    secret = proof.token or await _token_for_code(ident, business, proof.email or "", proof.code or "", purpose, now)
    async with UnitOfWork(ident.engine) as uow:
        _token, account = await redeem_token(uow, business, secret, purpose, now)
        await _mark_verified(uow, business, account, now)
        await retire_tokens(uow.conn, account.account_id, purpose, now)
        session, fresh = await open_session(uow, ident, business, account.account_id, caller, now)
    return SignedIn(account=account_view(fresh), session=session)


async def request_sign_in_link(
    ident: Identity, slug: BusinessRef, form: EmailOnly, caller: Caller, now: datetime
) -> None:
    """Always accepted; a verified account gets a one-time sign-in link and code (30 minutes), within
    the per-account email cap. The way in while the per-account ceiling refuses passwords."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.EMAIL_FLOW_PER_IP, rl.bucket_key(caller.ip), now)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_email(uow.conn, business, form.email)
        # An unverified account's password may be a stranger's (the newest sign-up sets it): verify first.
        if account is None or account.email_verified_at is None:
            return
        if not await within_email_cap(uow.conn, business, form.email, now):
            return
        secret, code = await issue_token(uow, business, account.account_id, "sign_in", now, with_code=True)
        await uow.publish(
            SignInLinkRequested(
                **addressed(business, account.email, account.locale, account.account_id),
                first_name=account.first_name,
                link=widget_link(ident, business, "sign-in-link", secret),
                code=code or "",
            )
        )


async def sign_in_with_link(
    ident: Identity, slug: BusinessRef, proof: Verification, caller: Caller, now: datetime
) -> SignedIn:
    """An emailed sign-in link's token, or the email and its code, to a session (single use)."""
    return await _session_from_email(ident, await _business(ident, slug), proof, "sign_in", caller, now)


async def _token_for_code(
    ident: Identity, business: BusinessSnapshot, email: str, code: str, purpose: tokens.TokenPurpose, now: datetime
) -> str:
    """Codes cannot be looked up by digest (they are short): find the live token, compare, count misses."""
    async with ident.engine.begin() as conn:
        account = await account_by_email(conn, business, email)
        live = []
        if account is not None:
            live = list(
                await conn.execute(
                    sa.select(client_tokens)
                    .where(
                        client_tokens.c.account_id == account.account_id,
                        client_tokens.c.purpose == purpose,
                        client_tokens.c.used_at.is_(None),
                        client_tokens.c.expires_at > now,
                        client_tokens.c.code_hash.is_not(None),
                        client_tokens.c.code_attempts < tokens.CODE_MAX_ATTEMPTS,
                    )
                    .with_for_update()
                )
            )
        for row in live:
            if row.code_hash == tokens.code_digest(row.token_hash, code):
                # A one-time internal handle on the same token row: the code is now spent too.
                handle = tokens.new_secret(tokens.LINK_PREFIX)
                await conn.execute(
                    sa.update(client_tokens)
                    .where(client_tokens.c.token_hash == row.token_hash)
                    .values(token_hash=tokens.digest(handle), code_hash=None)
                )
                return handle
        for row in live:
            await conn.execute(
                sa.update(client_tokens)
                .where(client_tokens.c.token_hash == row.token_hash)
                .values(code_attempts=client_tokens.c.code_attempts + 1)
            )
    raise Rejected("code_invalid", "This code is not valid; check the email or ask for a new one.")


async def _mark_verified(uow: UnitOfWork, business: BusinessSnapshot, account: Row[Any], now: datetime) -> None:
    if account.email_verified_at is not None:
        return
    await uow.conn.execute(
        sa.update(client_accounts)
        .where(client_accounts.c.account_id == account.account_id)
        .values(email_verified_at=now, updated_at=now)
    )
    await uow.publish(client_event(ClientEmailVerified, business, account))


async def login(ident: Identity, slug: BusinessRef, creds: Credentials, caller: Caller, now: datetime) -> SignedIn:
    """Email and password to a session (R-I4). Limits are checked before the hash (see domain/limits.py)."""
    business = await _business(ident, slug)
    key = account_key(business, creds.email)
    async with ident.engine.begin() as conn:  # one short transaction, committed before the hash
        per_address = await rl.count(conn, limits.LOGIN_PER_IP, rl.bucket_key(caller.ip), now)
        account = await account_by_email(conn, business, creds.email)
        if await _known_device(conn, account, caller.device_id):
            known, per_client_limit = True, limits.LOGIN_PER_DEVICE_ACCOUNT
            per_client = await rl.count(conn, per_client_limit, rl.bucket_key(caller.device_id, key), now)
        else:
            known, per_client_limit = await _known_address(conn, account, caller.ip, now), limits.LOGIN_PER_IP_ACCOUNT
            per_client = await rl.count(conn, per_client_limit, rl.bucket_key(caller.ip, key), now)
        failures = await rl.recent(conn, limits.LOGIN_FAILURES_PER_ACCOUNT, key, now)
    if per_address.total > limits.LOGIN_PER_IP.max_hits:
        raise rl.RateLimited(limits.LOGIN_PER_IP, now, retry_after=per_address.retry_after())
    if not known and failures.over():
        raise sign_in_by_email(now, failures)
    under_attack = failures.total >= limits.LOGIN_UNDER_ATTACK
    allowance = limits.LOGIN_PER_IP_ACCOUNT_UNDER_ATTACK if under_attack and not known else per_client_limit.max_hits
    if per_client.total > allowance:
        raise rl.RateLimited(per_client_limit, now, retry_after=per_client.retry_after(allowance))
    if not await ident.hashing.verify(account.password_hash if account else None, creds.password):
        await rl.hit(ident.engine, limits.LOGIN_FAILURES_PER_ACCOUNT, key, now)
        raise InvalidCredentials()
    assert account is not None
    if account.email_verified_at is None:
        raise Forbidden("email_not_verified", "Verify your email address first; we can send the link again.")
    new_hash = await ident.hashing.hash(creds.password) if ident.hashing.needs_rehash(account.password_hash) else None
    async with UnitOfWork(ident.engine) as uow:
        if new_hash is not None:  # parameters rose since this hash was made
            await uow.conn.execute(
                sa.update(client_accounts)
                .where(client_accounts.c.account_id == account.account_id)
                .values(password_hash=new_hash)
            )
        session, fresh = await open_session(uow, ident, business, account.account_id, caller, now)
    return SignedIn(account=account_view(fresh), session=session)


async def _known_device(conn: AsyncConnection, account: Row[Any] | None, device_id: str | None) -> bool:
    """Whether this device (the gateway's signed cookie) ever signed in to the account."""
    if account is None or not device_id:
        return False
    found = await conn.scalar(
        sa.select(client_sessions.c.session_id)
        .where(client_sessions.c.account_id == account.account_id, client_sessions.c.device_id == device_id)
        .limit(1)
    )
    return found is not None


async def _known_address(conn: AsyncConnection, account: Row[Any] | None, ip: str | None, now: datetime) -> bool:
    """Whether this address signed in to the account lately (its sessions remember it)."""
    if account is None or not ip:
        return False
    found = await conn.scalar(
        sa.select(client_sessions.c.session_id)
        .where(
            client_sessions.c.account_id == account.account_id,
            client_sessions.c.ip == ip,
            client_sessions.c.created_at > now - timedelta(days=limits.KNOWN_ADDRESS_DAYS),
        )
        .limit(1)
    )
    return found is not None


async def resolve_session(ident: Identity, slug: BusinessRef, secret: str, now: datetime) -> ResolvedSession:
    """The account behind a session token, on this business. 401 when the token is not a live
    session; 404 when the account does not belong here (another organization, R-T4)."""
    business = await _business(ident, slug)
    async with ident.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(
                    *client_sessions.c["session_id", "last_seen_at"],
                    *client_accounts.c["account_id", "org_id", "scope_business_id"],
                )
                .join(client_accounts, client_accounts.c.account_id == client_sessions.c.account_id)
                .where(
                    client_sessions.c.token_hash == tokens.digest(secret),
                    client_sessions.c.revoked_at.is_(None),
                    client_sessions.c.expires_at > now,
                )
            )
        ).first()
        if row is None:
            raise SignInRequired("not_signed_in", "Sign in to continue.")
        if row.org_id != business.org_id or row.scope_business_id != scope_business_id(business):
            raise NotFound("not_found", "Not found.")
        if (now - row.last_seen_at).total_seconds() > SESSION_TOUCH_SECONDS:
            await conn.execute(
                sa.update(client_sessions)
                .where(client_sessions.c.session_id == row.session_id)
                .values(last_seen_at=now)
            )
            await conn.commit()
    return ResolvedSession(account_id=row.account_id, session_id=row.session_id, business=business)


async def logout(ident: Identity, slug: BusinessRef, secret: str, now: datetime) -> None:
    """The session stops working at once: the gateway asks identity on every request."""
    resolved = await resolve_session(ident, slug, secret, now)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_id(uow.conn, resolved.business, resolved.account_id)
        await revoke_sessions(uow, resolved.business, account, "logout", now, only=resolved.session_id)


async def forgot_password(ident: Identity, slug: BusinessRef, email: str, caller: Caller, now: datetime) -> None:
    """Always accepted; an existing account gets a reset link (1 hour), within the per-account limit (R-I5)."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.EMAIL_FLOW_PER_IP, rl.bucket_key(caller.ip), now)
    async with UnitOfWork(ident.engine) as uow:
        account = await account_by_email(uow.conn, business, email)
        if account is None or not await within_email_cap(uow.conn, business, email, now):
            return
        secret, _ = await issue_token(uow, business, account.account_id, "password_reset", now)
        await uow.publish(
            PasswordResetRequested(
                **addressed(business, account.email, account.locale, account.account_id),
                first_name=account.first_name,
                link=widget_link(ident, business, "reset-password", secret),
            )
        )


async def reset_password(
    ident: Identity, slug: BusinessRef, form: PasswordReset, caller: Caller, now: datetime
) -> None:
    """New password from a reset link: single use; every session is revoked; the client is told."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.TOKEN_PER_IP, rl.bucket_key(caller.ip), now)
    async with UnitOfWork(ident.engine) as uow:
        _token, account = await redeem_token(uow, business, form.token, "password_reset", now)
        password_hash = await ident.hashing.hash(form.password)
        await uow.conn.execute(
            sa.update(client_accounts)
            .where(client_accounts.c.account_id == account.account_id)
            .values(password_hash=password_hash, updated_at=now)
        )
        await _mark_verified(uow, business, account, now)  # the link proved the address too
        await retire_tokens(uow.conn, account.account_id, "password_reset", now)
        await revoke_sessions(uow, business, account, "password_reset", now)
        await uow.publish(
            PasswordChanged(
                **addressed(business, account.email, account.locale, account.account_id), first_name=account.first_name
            )
        )


async def confirm_email_change(ident: Identity, slug: BusinessRef, secret: str, caller: Caller, now: datetime) -> str:
    """Apply a new email address once its link is followed (R-I7); the new address."""
    business = await _business(ident, slug)
    await rl.enforce(ident.engine, limits.TOKEN_PER_IP, rl.bucket_key(caller.ip), now)
    async with UnitOfWork(ident.engine) as uow:
        token, account = await redeem_token(uow, business, secret, "email_change", now)
        new_email = str(token.new_email)
        taken = await account_by_email(uow.conn, business, new_email)
        if taken is not None and taken.account_id != account.account_id:
            raise Conflict("email_taken", "Another account already uses this address.")
        changed = (
            await uow.conn.execute(
                sa.update(client_accounts)
                .where(client_accounts.c.account_id == account.account_id)
                .values(email=new_email, email_verified_at=now, updated_at=now)
                .returning(*client_accounts.c)
            )
        ).one()
        await retire_tokens(uow.conn, account.account_id, "email_change", now)
        await uow.publish(
            client_event(ClientEmailChanged, business, account, old_email=account.email, new_email=new_email)
        )
        await uow.publish(profile_event(business, changed, ["email"]))
    return new_email
