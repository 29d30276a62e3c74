"""Courier edge cases: permanent SMTP failures, a courier that died mid-send, attachments, campaigns."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import SMTP, Envelope, Session

from regulars.notifications.adapters.tables import messages
from regulars.notifications.domain.errors import UnknownRecipient
from regulars.notifications.domain.message_types import AppointmentReminderVariables, PasswordResetVariables
from regulars.notifications.domain.model import Preferences
from regulars.notifications.entrypoints.background import dispatch_due_job
from regulars.notifications.service_layer.campaigns import send_marketing
from regulars.notifications.service_layer.messages import COURIER_CHANNEL
from regulars.shared import clock
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.testing.infra import free_port
from regulars.shared.testing.waiting import eventually, listening

pytestmark = [pytest.mark.integration, pytest.mark.clock]

STARTS_AT = datetime(2026, 11, 25, 9, tzinfo=UTC)


class RejectingHandler:
    def __init__(self) -> None:
        self.attempts = 0

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.attempts += 1
        return "550 5.1.1 No such mailbox"


@pytest.fixture
async def rejecting_smtp() -> AsyncIterator[tuple[int, RejectingHandler]]:
    handler = RejectingHandler()
    port = free_port()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler), "127.0.0.1", port)
    yield port, handler
    server.close()
    await server.wait_closed()


async def test_permanent_smtp_failure_is_abandoned_without_retrying(harness: Any, rejecting_smtp: Any) -> None:
    port, handler = rejecting_smtp
    business = await harness.business()
    account = await harness.contact(business)
    queued = await harness.enqueue(harness.message(business, account))
    moment = [clock.now()]
    courier = harness.courier(smtp_port=port, clock=lambda: moment[0])
    await courier.drain()
    moment[0] += timedelta(hours=2)
    await courier.drain()
    log = await harness.dispatch_log(queued.message_id)
    assert [(a, o) for a, o, _ in log] == [(0, "queued"), (1, "abandoned")]
    assert "permanent failure: SMTP 550" in log[-1][2]
    assert handler.attempts == 1


async def test_message_left_sending_by_a_dead_courier_is_taken_again_after_its_lease(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    queued = await harness.enqueue(harness.message(business, account))
    start = clock.now()
    async with UnitOfWork(harness.engine) as uow:  # what a courier that crashed after its claim leaves behind
        await uow.conn.execute(
            sa.update(messages)
            .where(messages.c.id == queued.message_id)
            .values(status="sending", attempts=1, lease_until=start + timedelta(seconds=120))
        )
    moment = [start + timedelta(seconds=60)]
    courier = harness.courier(clock=lambda: moment[0])
    assert await courier.drain() == 0  # the lease still holds
    moment[0] = start + timedelta(seconds=121)
    assert await courier.drain() == 1
    log = await harness.dispatch_log(queued.message_id)
    assert [(a, o) for a, o, _ in log] == [(0, "queued"), (1, "lease_expired"), (2, "sent")]
    assert len(harness.mailbox.messages) == 1


async def test_calendar_attachment_is_delivered_with_text_and_html(harness: Any) -> None:
    business = await harness.business(locale="it")
    account = await harness.contact(business)
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Taglio\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    await harness.enqueue(
        harness.message(
            business, account, category="transactional",
            variables=AppointmentReminderVariables(service_name="Taglio", starts_at=STARTS_AT),
            attachments=[{"filename": "booking.ics", "content_type": "text/calendar", "content": ics}],
        )
    )  # fmt: skip
    await harness.courier().drain()
    (mail,) = harness.mailbox.messages
    assert mail.text.startswith("Ciao Carla")
    assert "<p>Ciao Carla,</p>" in mail.html
    (attachment,) = mail.attachments
    assert attachment["filename"] == "booking.ics"
    assert attachment["content_type"] == "text/calendar"
    assert "SUMMARY:Taglio" in attachment["content"]


async def test_campaign_to_all_reaches_only_clients_with_marketing_on_once(harness: Any) -> None:
    business = await harness.business()
    other_business = await harness.business()
    yes, no, sms_only = [await harness.contact(business) for _ in range(3)]
    stranger = await harness.contact(other_business)
    await harness.set_preferences(yes, business, Preferences(True, True, True, False))
    await harness.set_preferences(sms_only, business, Preferences(True, False, True, True))
    await harness.set_preferences(stranger, other_business, Preferences(True, True, True, True))
    campaign = uuid.uuid4()
    for _ in range(2):  # the same campaign sent twice adds nothing
        async with UnitOfWork(harness.engine) as uow:
            result = await send_marketing(
                uow.conn, harness.settings, business, campaign_id=campaign, channel="email", title="Sale",
                text="All week.", account_id=None, now=clock.now(),
            )  # fmt: skip
        assert len(result.queued) == 1
    await harness.courier().drain()
    assert [m.subject for m in harness.mailbox.messages] == ["Sale"]
    async with harness.engine.connect() as conn:
        recipients = (await conn.execute(sa.select(messages.c.account_id))).scalars().all()
    assert recipients == [yes]
    assert no not in recipients

    async with UnitOfWork(harness.engine) as uow:  # R-T4: another business's client is unknown here
        with pytest.raises(UnknownRecipient):
            await send_marketing(
                uow.conn, harness.settings, business, campaign_id=uuid.uuid4(), channel="email", title="X",
                text="Y", account_id=stranger, now=clock.now(),
            )  # fmt: skip


async def test_running_courier_is_woken_by_notify_not_its_poll(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    start = clock.now()
    moment, asked = [start], []

    def courier_clock() -> datetime:
        asked.append(moment[0])
        return moment[0]

    courier = harness.courier(clock=courier_clock, poll_seconds=60)
    task = asyncio.create_task(courier.run())
    try:

        async def first_pass_looked_and_listening() -> bool:
            return bool(asked) and await listening(harness.engine, COURIER_CHANNEL)

        await eventually(first_pass_looked_and_listening, timeout=10)
        # Due only after the moment the first pass looked for due messages: from now on only a NOTIFY
        # wakes the courier before its 60 s poll.
        moment[0] = start + timedelta(seconds=1)
        await harness.enqueue(harness.message(business, account), now=moment[0])

        async def delivered() -> bool:
            return bool(harness.mailbox.messages)

        await eventually(delivered, timeout=5, every=0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_recipient_refused_with_5xx_is_abandoned_at_once(harness: Any, rejecting_smtp: Any) -> None:
    port, handler = rejecting_smtp
    business = await harness.business()
    queued = await harness.enqueue(
        harness.message(
            business, None, to="nobody@example.com",
            variables=PasswordResetVariables(first_name="N", link="http://x/r"),
        )
    )  # fmt: skip
    await harness.courier(smtp_port=port).drain()
    log = await harness.dispatch_log(queued.message_id)
    assert [(a, o) for a, o, _ in log] == [(0, "queued"), (1, "abandoned")]
    assert "recipient refused" in log[-1][2]
    assert handler.attempts == 0  # never got to DATA


async def test_dispatch_due_job_sends_what_is_due_as_of_the_given_time(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    now = clock.now()
    await harness.enqueue(harness.message(business, account, due_at=now + timedelta(days=2)), now=now)
    assert await dispatch_due_job(harness.engine, harness.settings, now) == {"claimed": 0}
    assert await dispatch_due_job(harness.engine, harness.settings, now + timedelta(days=2)) == {"claimed": 1}
    assert len(harness.mailbox.messages) == 1
