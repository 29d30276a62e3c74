"""The courier against the real PostgreSQL and a real SMTP server (the dev mailbox, or one that fails)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from regulars.notifications.adapters.tables import dispatch_log
from regulars.notifications.domain.message_types import (
    AppointmentReminderVariables,
    MarketingMessageVariables,
    PasswordChangedVariables,
    PasswordResetVariables,
    ReceiptVariables,
    VerifyEmailVariables,
)
from regulars.notifications.domain.model import Preferences, RetryPolicy
from regulars.notifications.service_layer.messages import MessageRequest, void_subject
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.infra import free_port

pytestmark = pytest.mark.integration

# Loaded by pytest from the conftest beside the tests directory.
Harness = Any


SENT_AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
REMINDED = datetime(2026, 11, 25, 9, tzinfo=UTC)
RESET: dict[str, Any] = {"variables": PasswordResetVariables(link="http://example.test/reset?token=x")}


def security_mail(harness: Harness, business: Any, account_id: uuid.UUID, **extra: Any) -> MessageRequest:
    """A password-reset email unless ``extra`` says otherwise."""
    request: MessageRequest = harness.message(business, account_id, **(RESET | extra))
    return request


def reminder_at(
    harness: Harness, business: Any, account_id: uuid.UUID, start: datetime, service_name: str, **extra: Any
) -> MessageRequest:
    """A reminder queued at ``start`` and due a day later, of ``service_name`` on 2026-11-25 at 09:00 UTC."""
    return security_mail(
        harness, business, account_id, category="transactional",
        variables=AppointmentReminderVariables(service_name=service_name, starts_at=REMINDED),
        due_at=start + timedelta(days=1), **extra,
    )  # fmt: skip


async def status_and_log(harness: Harness, message_id: uuid.UUID) -> tuple[str, list[tuple[int, str, str]]]:
    return await harness.status(message_id), await harness.dispatch_log(message_id)


async def outcomes(harness: Harness, message_id: uuid.UUID) -> tuple[str, list[str]]:
    """The status and the outcome of each attempt, checked to be numbered 0 (queued), 1, 2..."""
    status, log = await status_and_log(harness, message_id)
    assert [attempt for attempt, _, _ in log] == list(range(len(log)))
    return status, [outcome for _, outcome, _ in log]


async def test_r_n3_always_sent_messages_go_out_with_every_preference_off(harness: Harness) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    await harness.set_preferences(account, business, Preferences(False, False, False, False))
    sent = {}
    for category, variables in (
        ("security", VerifyEmailVariables(link="http://x/v", code="111111")),
        ("security", PasswordResetVariables(link="http://x/r")),
        ("security", PasswordChangedVariables()),
        ("receipt", ReceiptVariables(amount=Decimal(30), currency="EUR", paid_at=SENT_AT, description="Haircut")),
        ("transactional", AppointmentReminderVariables(service_name="Cut", starts_at=SENT_AT + timedelta(days=1))),
        ("marketing", MarketingMessageVariables(title="Offer", text="20% off")),
    ):
        for channel in ("email", "sms"):
            queued = await harness.enqueue(
                harness.message(business, account, category=category, channel=channel, variables=variables)
            )
            sent[(category, variables.message_type, channel)] = queued.message_id
    await harness.courier().drain()

    for (category, _template, _channel), message_id in sent.items():
        status, log = await status_and_log(harness, message_id)
        if category in ("security", "receipt"):
            assert status == "sent", log
        else:
            assert status == "suppressed"
            assert "off in the recipient's preferences" in log[-1][2]
    contact_mail = [m for m in harness.mailbox.messages if m.to[0].startswith("c-")]
    assert len(contact_mail) == 4
    assert len(harness.sms_box.messages) == 4


async def test_smtp_451_is_retried_with_backoff_and_one_email_is_delivered(harness: Harness, flaky_smtp: Any) -> None:
    port, handler, mailbox = await flaky_smtp(2)
    business = await harness.business()
    account = await harness.contact(business)
    clock = harness_clock = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def now() -> datetime:
        return harness_clock

    courier = harness.courier(smtp_port=port, clock=now, policy=RetryPolicy(max_attempts=5, base_seconds=10))
    queued = await harness.enqueue(security_mail(harness, business, account), now=clock)

    await courier.drain()
    status, log = await status_and_log(harness, queued.message_id)
    assert status == "failed"
    assert "451" in log[-1][2]
    await courier.drain()  # not due yet: backoff of 10 s
    assert handler.attempts == 1

    harness_clock = clock + timedelta(seconds=10)
    await courier.drain()
    assert await harness.status(queued.message_id) == "failed"
    harness_clock = clock + timedelta(seconds=10 + 19)
    await courier.drain()
    assert handler.attempts == 2  # the second backoff is 20 s, not yet over
    harness_clock = clock + timedelta(seconds=30)
    await courier.drain()

    assert await outcomes(harness, queued.message_id) == ("sent", ["queued", "failed", "failed", "sent"])
    assert len(mailbox.messages) == 1
    assert handler.attempts == 3


async def test_smtp_down_past_the_limit_is_abandoned_and_visible_in_the_dispatch_log(harness: Harness) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    moment = [datetime(2026, 11, 23, 12, 0, tzinfo=UTC)]
    courier = harness.courier(
        smtp_port=free_port(),  # nothing listens there
        clock=lambda: moment[0],
        policy=RetryPolicy(max_attempts=3, base_seconds=1, max_seconds=60),
    )
    queued = await harness.enqueue(security_mail(harness, business, account), now=moment[0])
    for _ in range(5):
        await courier.drain()
        moment[0] += timedelta(minutes=5)

    assert await outcomes(harness, queued.message_id) == ("abandoned", ["queued", "failed", "failed", "abandoned"])
    log = await harness.dispatch_log(queued.message_id)
    assert "gave up after 3 attempts" in log[-1][2]
    assert "SMTP" in log[-1][2]


async def test_two_couriers_on_one_queue_send_each_message_once(harness: Harness) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    ids = [(await harness.enqueue(security_mail(harness, business, account))).message_id for _ in range(60)]
    first = harness.courier(name="courier-a", batch_size=7)
    second = harness.courier(name="courier-b", batch_size=7)

    await asyncio.gather(first.drain(), second.drain(), first.drain(), second.drain())

    delivered = [m.headers.get("X-Regulars-Message-Id") for m in harness.mailbox.messages]
    assert sorted(delivered) == sorted(str(i) for i in ids)  # every one, none twice
    async with harness.engine.connect() as conn:
        sent_rows = (
            await conn.execute(
                sa.select(dispatch_log.c.message_id, dispatch_log.c.courier).where(dispatch_log.c.outcome == "sent")
            )
        ).all()
    assert len(sent_rows) == 60
    assert len({row.message_id for row in sent_rows}) == 60


async def test_scheduled_message_is_sent_when_due_with_a_moved_clock(harness: Harness) -> None:
    business = await harness.business(locale="es", timezone="Europe/Madrid")
    account = await harness.contact(business)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    moment = [start]
    courier = harness.courier(clock=lambda: moment[0])
    queued = await harness.enqueue(
        reminder_at(harness, business, account, start, "Corte", subject_ref="appointment:42"), now=start
    )
    await courier.drain()
    moment[0] = start + timedelta(hours=23, minutes=59)
    await courier.drain()
    assert await harness.status(queued.message_id) == "queued"
    assert harness.mailbox.messages == type(harness.mailbox.messages)()

    moment[0] = start + timedelta(days=1)
    await courier.drain()
    assert await harness.status(queued.message_id) == "sent"
    (mail,) = harness.mailbox.messages
    # Spanish, in the business's time zone (09:00 UTC is 10:00 in Madrid).
    assert mail.subject == "Recordatorio: Corte el 25 de noviembre de 2026"
    assert "a las 10:00" in mail.text


async def test_scheduled_message_is_dropped_when_its_subject_is_cancelled(harness: Harness) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    moment = [start]
    courier = harness.courier(clock=lambda: moment[0])
    reminder = reminder_at(harness, business, account, start, "Cut", subject_ref="appointment:cancelled-1")
    queued = await harness.enqueue(reminder, now=start)
    async with UnitOfWork(harness.engine) as uow:
        dropped = await void_subject(uow.conn, business.org_id, "appointment:cancelled-1", "cancelled", start)
    assert dropped == 1
    # A reminder queued after the cancellation (a late event) is dropped too.
    late = await harness.enqueue(
        reminder_at(harness, business, account, start, "Cut", subject_ref="appointment:cancelled-1"), now=start
    )

    moment[0] = start + timedelta(days=2)
    await courier.drain()
    for message_id in (queued.message_id, late.message_id):
        status, log = await status_and_log(harness, message_id)
        assert status == "dropped"
        assert "appointment:cancelled-1 was cancelled" in log[-1][2]
    assert len(harness.mailbox.messages) == 0


async def test_duplicate_request_with_the_same_key_creates_one_message(harness: Harness) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    request = security_mail(harness, business, account, dedupe_key="event:dup-1:email")
    first = await harness.enqueue(request)
    second = await harness.enqueue(request)
    assert first.created
    assert not second.created
    assert first.message_id == second.message_id
    await harness.courier().drain()
    assert len(harness.mailbox.messages) == 1
