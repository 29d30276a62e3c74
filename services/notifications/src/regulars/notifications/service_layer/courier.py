"""The courier: claims due messages and hands them to their channel, at most once each.

States (``domain.model.Status``): queued -> sending -> sent; a failed attempt
-> failed, retried with exponential backoff -> ... -> abandoned after the limit
(or at once for a permanent failure). At claim time the courier checks again
whether the message may still go: the subject may have been cancelled
(-> dropped) or the recipient may have turned the category off (-> suppressed);
and a message for an account that is not bound to one address
(``recipient_fixed`` false) is addressed to the account's contact as it is
now, or suppressed when the contact has no address for the channel any more,
and is rendered again if the account's language or first name changed since
it was queued.

Claims use ``FOR UPDATE SKIP LOCKED`` and move the rows to ``sending`` with a
lease in the same transaction, so several couriers (threads, processes,
replicas) never take the same message. A courier that dies mid-send leaves its
rows ``sending``; once the lease has expired another courier takes them again
(at-least-once for that crash, logged as such). Whether a claimed message still
goes is the pure ``domain.model.decide_on_sending``; every decision and attempt is
a row in the dispatch log. Time comes from the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from regulars.notifications.adapters.tables import dispatch_log, messages
from regulars.notifications.adapters.transport import Outgoing, PermanentFailure, TransientFailure, Transport
from regulars.notifications.domain.model import RetryPolicy, Status, decide_on_sending, preferences_apply
from regulars.notifications.service_layer.messages import (
    COURIER_CHANNEL,
    Content,
    current_address,
    current_contact,
    is_voided,
    log_dispatch,
    rendered_again,
)
from regulars.notifications.service_layer.preferences import load_preferences
from regulars.shared.clock import Clock
from regulars.shared.clock import now as clock_now
from regulars.shared.db.notify import listen_forever

log = structlog.get_logger(__name__)

OUTCOMES = Counter("regulars_courier_outcomes_total", "Courier decisions and attempts", ["channel", "outcome"])


@dataclass(frozen=True)
class Claimed:
    """A message a courier holds the lease of, and the attempt this is."""

    outgoing: Outgoing
    attempt: int


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed message: its new status, why, and when to try again."""

    item: Claimed
    status: Status
    detail: str
    error: str | None = None
    retry_at: datetime | None = None


class Courier:
    """Sends due messages through their channel's transport, at send time deciding on preferences and address."""

    def __init__(
        self,
        engine: AsyncEngine,
        transports: Mapping[str, Transport],
        *,
        clock: Clock = clock_now,
        policy: RetryPolicy | None = None,
        batch_size: int = 50,
        lease_seconds: float = 120.0,
        poll_seconds: float = 0.5,
        name: str | None = None,
    ) -> None:
        self._engine = engine
        self._transports = transports
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)
        self._poll = poll_seconds
        self.name = name or f"courier-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Run a pass now (a message was queued in this process)."""
        self._wake.set()

    async def run(self) -> None:
        """Dispatch until cancelled; woken by NOTIFY when a message is queued, else every poll interval."""
        # Any replica's queued message wakes every courier.
        listener = asyncio.create_task(listen_forever(self._engine, COURIER_CHANNEL, self._wake), name="courier-listen")
        try:
            await self._loop()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _loop(self) -> None:
        while True:
            try:
                handled = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("courier_pass_failed", courier=self.name)
                handled = 0
                await asyncio.sleep(1.0)
            if handled >= self._batch_size:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def dispatch_once(self) -> int:
        """Claim one batch of due messages and deliver them concurrently; returns how many were claimed."""
        claimed = await self._claim()
        if claimed:
            outcomes = await asyncio.gather(*(self._deliver(item) for item in claimed))
            await self._record(outcomes)
        return len(claimed)

    async def drain(self, max_passes: int = 100) -> int:
        """Dispatch until nothing is due (for jobs and tests); returns the number of claims."""
        total = 0
        for _ in range(max_passes):
            handled = await self.dispatch_once()
            total += handled
            if handled == 0:
                break
        return total

    async def _claim(self) -> list[Claimed]:
        now = self._clock()
        due = sa.or_(
            sa.and_(
                messages.c.status.in_((Status.QUEUED.value, Status.FAILED.value)), messages.c.next_attempt_at <= now
            ),
            sa.and_(messages.c.status == Status.SENDING.value, messages.c.lease_until < now),
        )
        claimed: list[Claimed] = []
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(messages)
                    .where(due)
                    .order_by(messages.c.next_attempt_at)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                if (item := await self._take(conn, row, now)) is not None:
                    claimed.append(item)
            if claimed:
                await conn.execute(
                    sa.update(messages)
                    .where(messages.c.id.in_([item.outgoing.id for item in claimed]))
                    .values(
                        status=Status.SENDING.value, attempts=messages.c.attempts + 1, lease_until=now + self._lease
                    )
                )
        return claimed

    async def _take(self, conn: AsyncConnection, row: Any, now: datetime) -> Claimed | None:
        """A due message claimed if it still goes (to the address and in the words of now), else
        recorded as dropped or suppressed (``decide_on_sending``)."""
        if row.status == Status.SENDING.value:
            await log_dispatch(
                conn, row.id, row.attempts, "lease_expired", "a courier stopped mid-send; trying again", now
            )
        voided = row.subject_ref if row.subject_ref and await is_voided(conn, row.org_id, row.subject_ref) else None
        prefs = None
        if preferences_apply(row.category) and row.account_id is not None and row.business_id is not None:
            prefs = await load_preferences(conn, row.account_id, row.business_id)
        contact = None if row.recipient_fixed else await current_contact(conn, row)
        recipient = row.recipient if row.recipient_fixed else (await current_address(conn, row, contact) or "")
        verdict = decide_on_sending(
            row.channel, row.category, voided_subject=voided, preferences=prefs, recipient=recipient
        )
        if verdict is not None:
            status, reason = verdict
            await conn.execute(
                sa.update(messages)
                .where(messages.c.id == row.id)
                .values(status=status.value, last_error=reason, lease_until=None)
            )
            await log_dispatch(conn, row.id, row.attempts, status.value, reason, now, self.name)
            OUTCOMES.labels(row.channel, status.value).inc()
            return None
        content = None
        if contact is not None and (again := rendered_again(row, contact)) is not None:
            content, inputs = again  # the account's language or first name changed since
            await conn.execute(
                sa.update(messages)
                .where(messages.c.id == row.id)
                .values(
                    locale=content.locale, subject=content.subject, text_body=content.text,
                    html_body=content.html, render_inputs=inputs,
                )
            )  # fmt: skip
        if recipient != row.recipient:  # the client's address changed since the message was queued
            await conn.execute(sa.update(messages).where(messages.c.id == row.id).values(recipient=recipient))
        return Claimed(_outgoing(row, recipient, content), row.attempts + 1)

    async def _deliver(self, item: Claimed) -> Outcome:
        message = item.outgoing
        transport = self._transports.get(message.channel)
        try:
            if transport is None:
                raise PermanentFailure(f"no transport for channel {message.channel!r}")
            detail = await transport.send(message)
        except PermanentFailure as exc:
            return Outcome(item, Status.ABANDONED, f"permanent failure: {exc}", error=str(exc))
        except (TransientFailure, Exception) as exc:
            reason = str(exc) if isinstance(exc, TransientFailure) else f"{type(exc).__name__}: {exc}"
            retry_at = self.policy.next_attempt(item.attempt, self._clock())
            if retry_at is None:
                return Outcome(item, Status.ABANDONED, f"gave up after {item.attempt} attempts: {reason}", reason)
            detail = f"{reason}; next attempt at {retry_at.isoformat()}"
            return Outcome(item, Status.FAILED, detail, error=reason, retry_at=retry_at)
        return Outcome(item, Status.SENT, detail)

    async def _record(self, outcomes: list[Outcome]) -> None:
        """Write every outcome of a batch in one transaction (a commit per message would dominate)."""
        now = self._clock()
        async with self._engine.begin() as conn:
            for outcome in outcomes:
                item = outcome.item
                values: dict[str, Any] = {
                    "status": outcome.status.value,
                    "lease_until": None,
                    "last_error": outcome.error,
                }
                if outcome.status is Status.SENT:
                    values["sent_at"] = now
                if outcome.retry_at is not None:
                    values["next_attempt_at"] = outcome.retry_at
                # Guarded by the attempt number: if our lease expired and another courier
                # took the message, this courier's late answer must not overwrite it.
                updated = await conn.execute(
                    sa.update(messages)
                    .where(
                        messages.c.id == item.outgoing.id,
                        messages.c.status == Status.SENDING.value,
                        messages.c.attempts == item.attempt,
                    )
                    .values(**values)
                )
                if updated.rowcount == 0:  # type: ignore[attr-defined]
                    log.warning("courier_lease_lost", message_id=str(item.outgoing.id), courier=self.name)
            await conn.execute(
                sa.insert(dispatch_log),
                [
                    {
                        "message_id": o.item.outgoing.id,
                        "attempt": o.item.attempt,
                        "outcome": o.status.value,
                        "detail": o.detail[:2000],
                        "courier": self.name,
                        "at": now,
                    }
                    for o in outcomes
                ],
            )
        for outcome in outcomes:
            OUTCOMES.labels(outcome.item.outgoing.channel, outcome.status.value).inc()
            if outcome.status is not Status.SENT:
                log.warning(
                    "message_" + outcome.status.value,
                    message_id=str(outcome.item.outgoing.id),
                    attempt=outcome.item.attempt,
                    detail=outcome.detail[:300],
                )
        log.debug("courier_batch", courier=self.name, messages=len(outcomes))


def _outgoing(row: Any, recipient: str | None = None, content: Content | None = None) -> Outgoing:
    return Outgoing(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient if recipient is None else recipient,
        subject=row.subject if content is None else content.subject,
        text=row.text_body if content is None else content.text,
        html=row.html_body if content is None else content.html,
        headers=dict(row.headers or {}),
        attachments=list(row.attachments or []),
    )
