"""A message for an account speaks the account's language and greets its first name as they are
at send time (like its address); a guest's booking email keeps the language the widget was in.

Real PostgreSQL and a real SMTP server (the dev mailbox), events fed to the real consumers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from regulars.notifications.adapters.tables import messages
from regulars.notifications.entrypoints.appointment_messages import appointment_messages_consumer
from regulars.notifications.entrypoints.consumers import contacts_consumer
from regulars.shared.contracts.appointments import AppointmentBooked, AppointmentFacts, AppointmentRescheduled
from regulars.shared.contracts.events import Event
from regulars.shared.contracts.identity import BusinessSnapshot, ClientDeleted, ClientProfileUpdated, ClientRegistered

pytestmark = [pytest.mark.integration, pytest.mark.clock]

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def feed(consumer: Any, harness: Any, event: Event) -> None:
    assert await consumer.handle(harness.engine, event.routing_key, event.model_dump_json().encode())


class Account:
    def __init__(self, harness: Any, business: BusinessSnapshot, email: str) -> None:
        self.harness, self.business, self.email = harness, business, email
        self.account_id = uuid.uuid4()
        self.scope = {"org_id": business.org_id, "business_id": business.business_id, "account_id": self.account_id,
                      "account_scope_business_id": business.business_id}  # fmt: skip

    async def register(self, first_name: str, locale: str) -> None:
        await feed(contacts_consumer(), self.harness, ClientRegistered(
            **self.scope, occurred_at=START, email=self.email, first_name=first_name, last_name="Rossi", locale=locale,
        ))  # fmt: skip

    async def book(self, consumer: Any) -> AppointmentFacts:
        """Booked in the English widget, three days ahead."""
        booked = facts(self.business, account_id=self.account_id, email=self.email, locale="en",
                       starts_at=START + timedelta(days=3))  # fmt: skip
        event = AppointmentBooked(org_id=self.business.org_id, business_id=self.business.business_id,
                                  appointment=booked)  # fmt: skip
        await feed(consumer, self.harness, event)
        return booked

    async def update_profile(self, at: datetime, first_name: str, locale: str) -> None:
        await feed(contacts_consumer(), self.harness, ClientProfileUpdated(
            **self.scope, occurred_at=at, changed=["first_name", "locale"], email=self.email,
            first_name=first_name, last_name="Rossi", locale=locale,
        ))  # fmt: skip


def facts(
    business: BusinessSnapshot, *, account_id: uuid.UUID | None, email: str, locale: str, starts_at: datetime,
    sequence: int = 0, appointment_id: uuid.UUID | None = None,
) -> AppointmentFacts:  # fmt: skip
    # The business's client record keeps the name it was given (R-I8): the event's first name is "Eva".
    return AppointmentFacts(
        appointment_id=appointment_id or uuid.uuid4(), status="booked", service_id=uuid.uuid4(),
        service_name="Taglio", staff_id=uuid.uuid4(), staff_name="Marta", starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1), timezone=business.timezone, price_minor=3000, currency="EUR",
        account_id=account_id, client_record_id=uuid.uuid4(), client_first_name="Eva", email=email,
        locale=locale, booked_by="client" if account_id else "guest", sequence=sequence,
    )  # fmt: skip


async def locale_of(harness: Any, account_id: uuid.UUID, template: str) -> str:
    async with harness.engine.connect() as conn:
        found = await conn.scalar(
            sa.select(messages.c.locale).where(messages.c.account_id == account_id, messages.c.template == template)
        )
    return str(found)


async def test_booking_and_change_emails_follow_the_accounts_language_and_name(harness: Any) -> None:
    business = await harness.business(locale="en")
    eva = Account(harness, business, "eva@example.com")
    await eva.register("Eva", "en")
    # She sets her account to Spanish and her first name to "Evita", then books in the English widget.
    await eva.update_profile(START + timedelta(minutes=1), "Evita", "es")
    moment = [START + timedelta(minutes=2)]
    consumer = appointment_messages_consumer(harness.settings, clock=lambda: moment[0])
    booked = await eva.book(consumer)
    courier = harness.courier(clock=lambda: moment[0])
    await courier.drain()
    (confirmation,) = harness.mail_to(eva.email)
    assert confirmation.subject.startswith("Reservada: Taglio")
    assert "Hola Evita:" in confirmation.text
    assert "Hi " not in confirmation.text

    moved = facts(business, account_id=eva.account_id, email=eva.email, locale="en",
                  starts_at=START + timedelta(days=4), sequence=1, appointment_id=booked.appointment_id)  # fmt: skip
    await feed(consumer, harness, AppointmentRescheduled(
        org_id=business.org_id, business_id=business.business_id, appointment=moved,
        previous_starts_at=booked.starts_at, previous_staff_id=booked.staff_id,
    ))  # fmt: skip
    await courier.drain()
    (change,) = [mail for mail in harness.mail_to(eva.email) if mail is not confirmation]
    assert change.subject.startswith("Cambio: Taglio ahora el")
    assert "Hola Evita:" in change.text


async def test_a_reminder_queued_days_ahead_speaks_the_language_and_name_of_when_it_is_sent(harness: Any) -> None:
    business = await harness.business(locale="en")
    eva = Account(harness, business, "eva.r@example.com")
    await eva.register("Eva", "en")
    moment = [START]
    consumer = appointment_messages_consumer(harness.settings, clock=lambda: moment[0])
    await eva.book(consumer)
    courier = harness.courier(clock=lambda: moment[0])
    await courier.drain()
    (confirmation,) = harness.mail_to(eva.email)
    assert confirmation.subject.startswith("Booked: Taglio")
    assert "Hi Eva," in confirmation.text
    assert await locale_of(harness, eva.account_id, "appointment_reminder") == "en"  # rendered when queued

    # A day later she switches to Spanish and changes her first name; the reminder is not due yet.
    moment[0] = START + timedelta(days=1)
    await eva.update_profile(moment[0], "Evita", "es")
    moment[0] = START + timedelta(days=2, minutes=1)
    await courier.drain()
    (reminder,) = [mail for mail in harness.mail_to(eva.email) if mail is not confirmation]
    assert reminder.subject.startswith("Recordatorio: Taglio")
    assert "Hola Evita:" in reminder.text
    assert await locale_of(harness, eva.account_id, "appointment_reminder") == "es"  # the admin view: what went


async def test_a_guests_booking_email_keeps_the_widgets_language(harness: Any) -> None:
    business = await harness.business(locale="en")
    moment = [START]
    consumer = appointment_messages_consumer(harness.settings, clock=lambda: moment[0])
    booked = facts(business, account_id=None, email="guest@example.com", locale="pt",
                   starts_at=START + timedelta(hours=5))  # fmt: skip
    await feed(consumer, harness, AppointmentBooked(org_id=business.org_id, business_id=business.business_id,
                                                    appointment=booked))  # fmt: skip
    await harness.courier(clock=lambda: moment[0]).drain()
    (mail,) = harness.mail_to("guest@example.com")
    assert mail.subject.startswith("Marcado: Taglio")
    assert "Olá Eva," in mail.text


async def test_erasing_an_account_empties_what_its_waiting_messages_would_be_rendered_from(harness: Any) -> None:
    business = await harness.business()
    eva = Account(harness, business, "eva.gone@example.com")
    await eva.register("Eva", "it")
    consumer = appointment_messages_consumer(harness.settings, clock=lambda: START)
    await eva.book(consumer)
    async with harness.engine.connect() as conn:
        kept = (await conn.execute(sa.select(messages.c.render_inputs).where(
            messages.c.account_id == eva.account_id))).scalars().all()  # fmt: skip
    assert kept
    assert all(inputs["variables"]["first_name"] == "Eva" for inputs in kept)
    await feed(contacts_consumer(), harness, ClientDeleted(**eva.scope, occurred_at=START + timedelta(hours=1)))
    async with harness.engine.connect() as conn:
        left = (await conn.execute(sa.select(messages.c.render_inputs, messages.c.status).where(
            messages.c.account_id == eva.account_id))).all()  # fmt: skip
    assert [row.render_inputs for row in left] == [None] * len(kept)
