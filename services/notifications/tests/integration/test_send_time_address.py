"""Whom a message goes to: an account's contact as it is at send time, except messages bound to one address.

Real PostgreSQL and a real SMTP server / SMS box (the dev mailbox), events fed to the real consumers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from regulars.notifications.adapters.tables import contacts, messages
from regulars.notifications.domain.message_types import AppointmentReminderVariables
from regulars.notifications.entrypoints.appointment_messages import appointment_messages_consumer
from regulars.notifications.entrypoints.consumers import contacts_consumer, identity_messages_consumer
from regulars.shared.contracts.appointments import AppointmentBooked, AppointmentFacts
from regulars.shared.contracts.events import Event
from regulars.shared.contracts.identity import (
    ClientEmailChanged,
    ClientProfileUpdated,
    ClientRegistered,
    EmailChangeRequested,
)

pytestmark = [pytest.mark.integration, pytest.mark.clock]

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def feed(consumer: Any, harness: Any, event: Event) -> None:
    assert await consumer.handle(harness.engine, event.routing_key, event.model_dump_json().encode())


async def registered(
    harness: Any, business: Any, email: str, phone: str | None = None
) -> tuple[uuid.UUID, dict[str, Any]]:
    account = uuid.uuid4()
    scope = {"org_id": business.org_id, "business_id": business.business_id, "account_id": account,
             "account_scope_business_id": business.business_id}  # fmt: skip
    event = ClientRegistered(
        **scope, occurred_at=START, email=email, first_name="Eva", last_name="Rossi", locale="en", phone=phone
    )
    await feed(contacts_consumer(), harness, event)
    return account, scope


async def row_and_log(harness: Any, message_id: uuid.UUID) -> tuple[Any, list[tuple[str, str]]]:
    async with harness.engine.connect() as conn:
        row = (await conn.execute(sa.select(messages).where(messages.c.id == message_id))).one()
    return row, [(outcome, detail) for _, outcome, detail in await harness.dispatch_log(message_id)]


def sms_reminder(harness: Any, business: Any, account: uuid.UUID, starts_at: datetime, **extra: Any) -> Any:
    """A transactional SMS reminding ``account`` of a "Corte" at ``starts_at``."""
    return harness.message(
        business, account, category="transactional", channel="sms",
        variables=AppointmentReminderVariables(service_name="Corte", starts_at=starts_at), **extra,
    )  # fmt: skip


async def reminder_of(harness: Any, account: uuid.UUID) -> uuid.UUID:
    async with harness.engine.connect() as conn:
        found = await conn.scalar(
            sa.select(messages.c.id).where(
                messages.c.account_id == account, messages.c.template == "appointment_reminder"
            )
        )
    assert found is not None
    return uuid.UUID(str(found))


async def test_scheduled_reminder_goes_to_the_address_the_client_has_when_it_is_due(harness: Any) -> None:
    business = await harness.business()
    account, scope = await registered(harness, business, "eva.old@example.com")
    moment = [START]
    booked = AppointmentBooked(
        org_id=business.org_id, business_id=business.business_id,
        appointment=AppointmentFacts(
            appointment_id=uuid.uuid4(), status="booked", service_id=uuid.uuid4(), service_name="Taglio",
            staff_id=uuid.uuid4(), staff_name="Marta", starts_at=START + timedelta(days=3),
            ends_at=START + timedelta(days=3, hours=1), timezone=business.timezone, price_minor=3000,
            currency="EUR", account_id=account, client_record_id=uuid.uuid4(), client_first_name="Eva",
            email="eva.old@example.com", locale="en", booked_by="client",
        ),
    )  # fmt: skip
    await feed(appointment_messages_consumer(harness.settings, clock=lambda: moment[0]), harness, booked)
    courier = harness.courier(clock=lambda: moment[0])
    await courier.drain()  # the confirmation goes now, to the address of the moment
    (confirmation,) = harness.mailbox.messages
    assert confirmation.to == ["eva.old@example.com"]
    reminder = await reminder_of(harness, account)

    # The client changes their email the day after booking, before the reminder is due.
    moment[0] = START + timedelta(days=1)
    await feed(contacts_consumer(), harness, ClientEmailChanged(
        **scope, occurred_at=moment[0], old_email="eva.old@example.com", new_email="eva.new@example.com",
    ))  # fmt: skip
    await courier.drain()
    assert (await row_and_log(harness, reminder))[0].status == "queued"

    moment[0] = START + timedelta(days=2, minutes=1)  # past due (24 h before the appointment)
    await courier.drain()
    row, log = await row_and_log(harness, reminder)
    assert row.status == "sent"
    assert row.recipient == "eva.new@example.com"  # the admin view shows where it really went
    (mail,) = harness.mail_to("eva.new@example.com")
    assert mail.subject.startswith("Reminder")
    assert len(harness.mail_to("eva.old@example.com")) == 1  # only the confirmation
    assert [outcome for outcome, _ in log] == ["queued", "sent"]


async def test_email_change_notice_stays_with_the_old_address_and_verification_with_the_new(harness: Any) -> None:
    business = await harness.business()
    account, scope = await registered(harness, business, "ana.old@example.com")
    requests = identity_messages_consumer(harness.settings)
    # Identity says a new address was asked for while the account still has the old one...
    await feed(requests, harness, EmailChangeRequested(
        org_id=business.org_id, business_id=business.business_id, account_id=account, locale="en",
        to_email="ana.old@example.com", first_name="Ana", new_email="ana.new@example.com",
        link="http://example.test/w/x/confirm-email?token=t",
    ))  # fmt: skip
    # ...then the change is confirmed and the projection follows before the courier sends.
    await feed(contacts_consumer(), harness, ClientEmailChanged(
        **scope, occurred_at=START + timedelta(minutes=5), old_email="ana.old@example.com",
        new_email="ana.new@example.com",
    ))  # fmt: skip
    async with harness.engine.connect() as conn:
        assert await conn.scalar(sa.select(contacts.c.email).where(contacts.c.account_id == account)) == (
            "ana.new@example.com"
        )
    await harness.courier().drain()

    (notice,) = harness.mail_to("ana.old@example.com")
    assert "ana.new@example.com" in notice.text
    (verify,) = harness.mail_to("ana.new@example.com")
    assert "confirm-email?token=t" in verify.text
    assert len(harness.mailbox.messages) == 2


async def test_phone_given_at_sign_up_is_used_for_sms_before_verification(harness: Any) -> None:
    business = await harness.business()
    account, _ = await registered(harness, business, "rui@example.com", phone="+351910000123")
    async with harness.engine.connect() as conn:
        phone = await conn.scalar(sa.select(contacts.c.phone).where(contacts.c.account_id == account))
    assert phone == "+351910000123"

    queued = await harness.enqueue(sms_reminder(harness, business, account, START + timedelta(days=1)))
    assert queued.status == "queued"
    await harness.courier().drain()
    (sms,) = harness.sms_to("+351910000123")
    assert "Corte" in sms.body


async def test_phone_added_before_a_scheduled_sms_is_due_is_used_and_none_at_send_time_suppresses(
    harness: Any,
) -> None:
    business = await harness.business()
    with_phone_later, scope = await registered(harness, business, "later@example.com")
    never, _ = await registered(harness, business, "never@example.com")
    moment = [START]
    queued = {}
    for account in (with_phone_later, never):
        queued[account] = await harness.enqueue(
            sms_reminder(harness, business, account, START + timedelta(days=2), due_at=START + timedelta(days=1)),
            now=START,
        )
        assert queued[account].status == "queued"  # no phone yet, but it is not due yet

    await feed(contacts_consumer(), harness, ClientProfileUpdated(
        **scope, occurred_at=START + timedelta(hours=2), changed=["phone"], email="later@example.com",
        phone="+393330000456", first_name="Eva", last_name="Rossi", locale="en",
    ))  # fmt: skip
    moment[0] = START + timedelta(days=1)
    await harness.courier(clock=lambda: moment[0]).drain()

    sent, _ = await row_and_log(harness, queued[with_phone_later].message_id)
    assert (sent.status, sent.recipient) == ("sent", "+393330000456")
    assert len(harness.sms_to("+393330000456")) == 1
    suppressed, log = await row_and_log(harness, queued[never].message_id)
    assert suppressed.status == "suppressed"
    assert log[-1] == ("suppressed", "at send time: no sms address known for the account")
    assert len(harness.sms_box.messages) == 1

    # Due now and no address: suppressed at once, as before.
    at_once = await harness.enqueue(sms_reminder(harness, business, never, START + timedelta(days=2)))
    assert at_once.status == "suppressed"
