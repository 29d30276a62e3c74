"""From events to messages: preferences on every combination, duplicates, consent, unsubscribe, erasure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from regulars.notifications.adapters.sms import InboundSms
from regulars.notifications.adapters.tables import contacts, messages, preferences
from regulars.notifications.domain.message_types import (
    AppointmentReminderVariables,
    MarketingMessageVariables,
    PasswordResetVariables,
    ReceiptVariables,
    TemplateVariables,
)
from regulars.notifications.domain.model import Category, Channel, Preferences
from regulars.notifications.domain.tokens import verify_unsubscribe
from regulars.notifications.entrypoints.consumers import contacts_consumer, identity_messages_consumer
from regulars.notifications.service_layer.consent import handle_inbound_sms, unsubscribe
from regulars.notifications.service_layer.preferences import load_preferences
from regulars.shared import clock
from regulars.shared.contracts.identity import (
    ClientDeleted,
    ClientEmailChanged,
    ClientEmailVerified,
    ClientProfileUpdated,
    ClientRegistered,
    PasswordResetRequested,
    VerificationRequested,
)
from regulars.shared.db.tables import outbox
from regulars.shared.db.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.integration, pytest.mark.clock]

PAID_AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
MESSAGE_FOR: dict[str, TemplateVariables] = {
    "security": PasswordResetVariables(link="http://x/r"),
    "receipt": ReceiptVariables(amount=Decimal("12.5"), currency="EUR", paid_at=PAID_AT, description="Pack"),
    "transactional": AppointmentReminderVariables(service_name="Cut", starts_at=PAID_AT + timedelta(days=1)),
    "marketing": MarketingMessageVariables(title="News", text="Hello"),
}

matrices = st.builds(Preferences, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at_enqueue=matrices,
    at_send=matrices,
    channel=st.sampled_from(["email", "sms"]),
    category=st.sampled_from(["security", "receipt", "transactional", "marketing"]),
)
async def test_r_n1_r_n3_preferences_obeyed_at_send_time_on_every_channel_and_category(
    harness: Any, at_enqueue: Preferences, at_send: Preferences, channel: Channel, category: Category
) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    await harness.set_preferences(account, business, at_enqueue)
    queued = await harness.enqueue(
        harness.message(business, account, category=category, channel=channel, variables=MESSAGE_FOR[category])
    )
    await harness.set_preferences(account, business, at_send)  # changed before the courier runs
    await harness.courier().drain()

    always = category in ("security", "receipt")
    allowed_when_sent = always or getattr(at_send, f"{channel}_{category}")
    async with harness.engine.connect() as conn:
        status = await conn.scalar(sa.select(messages.c.status).where(messages.c.id == queued.message_id))
        recipient = await conn.scalar(sa.select(messages.c.recipient).where(messages.c.id == queued.message_id))
    delivered = harness.mail_to(recipient) if channel == "email" else harness.sms_to(recipient)
    assert (status == "sent") == allowed_when_sent
    assert len(delivered) == (1 if allowed_when_sent else 0)


async def test_duplicate_event_creates_one_message_and_one_email(harness: Any) -> None:
    business = await harness.business()
    consumer = identity_messages_consumer(harness.settings)
    event = VerificationRequested(
        org_id=business.org_id,
        business_id=business.business_id,
        to_email="dup@example.com",
        first_name="Dee",
        link="http://x/v",
        code="123456",
    )
    body = event.model_dump_json().encode()
    assert await consumer.handle(harness.engine, event.routing_key, body) is True
    assert await consumer.handle(harness.engine, event.routing_key, body) is False  # redelivery
    async with harness.engine.connect() as conn:
        count = await conn.scalar(
            sa.select(sa.func.count()).select_from(messages).where(messages.c.recipient == "dup@example.com")
        )
    assert count == 1
    await harness.courier().drain()
    assert len(harness.mail_to("dup@example.com")) == 1


async def test_sign_up_consent_sets_marketing_and_is_published(harness: Any) -> None:
    business = await harness.business()
    consumer = contacts_consumer()
    opted_in, declined = uuid.uuid4(), uuid.uuid4()
    for account_id, opt_in in ((opted_in, True), (declined, False)):
        event = ClientRegistered(
            org_id=business.org_id, business_id=business.business_id, account_id=account_id,
            account_scope_business_id=business.business_id, email=f"{account_id.hex[:8]}@example.com",
            first_name="Ola", last_name="K", locale="pt", marketing_opt_in=opt_in,
        )  # fmt: skip
        assert await consumer.handle(harness.engine, event.routing_key, event.model_dump_json().encode())
    async with harness.engine.connect() as conn:
        yes = await load_preferences(conn, opted_in, business.business_id)
        no = await load_preferences(conn, declined, business.business_id)
        published = (
            await conn.execute(
                sa.select(outbox.c.payload).where(outbox.c.routing_key == "notifications.preferences.changed.v1")
            )
        ).scalars()
        payloads = {p["account_id"]: p for p in published}
    assert yes == Preferences(True, True, True, True)
    assert no == Preferences(True, False, True, False)  # transactional on, marketing only with consent
    assert payloads[str(opted_in)]["preferences"]["email"] == {"transactional": True, "marketing": True}
    assert payloads[str(declined)]["source"] == "sign_up"


async def test_marketing_email_has_one_click_unsubscribe_headers_with_a_signed_token(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    await harness.set_preferences(account, business, Preferences(True, True, True, True))
    await harness.enqueue(
        harness.message(
            business, account, category="marketing",
            variables=MarketingMessageVariables(title="Winter offer", text="Two for one."),
        )
    )  # fmt: skip
    await harness.courier().drain()
    (mail,) = harness.mailbox.messages
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = mail.headers["List-Unsubscribe"].strip("<>")
    assert urlsplit(one_click).path == f"/api/v1/b/{business.slug}/unsubscribe"
    signed = parse_qs(urlsplit(one_click).query)["token"][0]
    token = verify_unsubscribe(harness.settings.notifications_signing_key, signed)
    assert (token.account_id, token.business_id, token.channel, token.category) == (
        account, business.business_id, "email", "marketing",
    )  # fmt: skip
    assert f"/w/{business.slug}/unsubscribe?token=" in mail.text
    assert "/unsubscribe?token=" in mail.html

    async with UnitOfWork(harness.engine) as uow:
        await unsubscribe(uow, token, business.business_id, clock.now())
    async with harness.engine.connect() as conn:
        prefs = await load_preferences(conn, account, business.business_id)
    assert prefs.allows("email", "marketing") is False
    assert prefs.allows("sms", "marketing") is True  # single-purpose: only what the token names


async def test_sms_stop_turns_sms_marketing_off_and_start_back_on(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business, phone="+393331234567")
    await harness.set_preferences(account, business, Preferences(True, True, True, True))
    async with UnitOfWork(harness.engine) as uow:
        action, changed = await handle_inbound_sms(
            uow, "dev", InboundSms("+39 333 123 4567", " stop ", "sms-1"), clock.now()
        )
    assert (action, changed) == ("stop", 1)
    async with UnitOfWork(harness.engine) as uow:  # the provider retries the same webhook
        again = await handle_inbound_sms(uow, "dev", InboundSms("+393331234567", "STOP", "sms-1"), clock.now())
    assert again == ("stop", 0)
    async with harness.engine.connect() as conn:
        prefs = await load_preferences(conn, account, business.business_id)
    assert prefs == Preferences(True, True, True, False)
    async with UnitOfWork(harness.engine) as uow:
        restarted = await handle_inbound_sms(uow, "dev", InboundSms("+393331234567", "START", "sms-2"), clock.now())
    assert restarted == ("start", 1)


async def test_r_t5_deleted_client_is_erased(harness: Any) -> None:
    business = await harness.business()
    account = await harness.contact(business)
    await harness.set_preferences(account, business, Preferences(True, True, True, True))
    later = datetime(2030, 1, 1, tzinfo=UTC)
    queued, in_flight = [
        await harness.enqueue(
            harness.message(
                business, account, category="marketing",
                variables=MarketingMessageVariables(title="T", text=text), due_at=later,
            )
        )
        for text in ("X", "Y")
    ]  # fmt: skip
    async with harness.engine.begin() as conn:  # a courier claimed it and then died mid-send
        await conn.execute(sa.update(messages).where(messages.c.id == in_flight.message_id).values(status="sending"))
    event = ClientDeleted(org_id=business.org_id, business_id=business.business_id, account_id=account)
    assert await contacts_consumer().handle(harness.engine, event.routing_key, event.model_dump_json().encode())
    async with harness.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).where(contacts.c.account_id == account)) == 0
        assert await conn.scalar(sa.select(sa.func.count()).where(preferences.c.account_id == account)) == 0
        rows = (
            await conn.execute(sa.select(messages).where(messages.c.id.in_([queued.message_id, in_flight.message_id])))
        ).all()
    assert [row.status for row in rows] == ["dropped", "dropped"]
    assert {(row.recipient, row.text_body, row.subject) for row in rows} == {("(erased)", "", "")}


class NoSuchTemplateVariables(TemplateVariables):
    message_type = "no_such_template"


async def test_a_message_without_a_template_is_abandoned_with_the_reason_and_one_missing_a_variable_never_made(
    harness: Any,
) -> None:
    business = await harness.business()
    # Neither identity's facts nor a message's variables can lack one (each is typed).
    with pytest.raises(ValidationError):
        PasswordResetRequested(org_id=business.org_id, to_email="x@example.com", first_name="A")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        PasswordResetVariables(first_name="A")  # type: ignore[call-arg]
    await harness.enqueue(harness.message(business, None, to="n@example.com", variables=NoSuchTemplateVariables()))
    async with harness.engine.connect() as conn:
        (row,) = (await conn.execute(sa.select(messages.c.status, messages.c.last_error))).all()
    assert row.status == "abandoned"
    assert "no message type 'no_such_template'" in row.last_error
    await harness.courier().drain()
    assert len(harness.mailbox.messages) == 0


async def test_contact_projection_follows_identity_and_ignores_older_events(harness: Any) -> None:
    business = await harness.business()
    consumer = contacts_consumer()
    account = uuid.uuid4()
    scope = {"org_id": business.org_id, "business_id": business.business_id, "account_id": account,
             "account_scope_business_id": business.business_id}  # fmt: skip
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    events = [
        ClientRegistered(**scope, occurred_at=t0, email="old@example.com", first_name="Eva", last_name="R",
                         locale="en"),
        ClientEmailVerified(**scope, occurred_at=t0.replace(minute=1), email="old@example.com", phone="+34600000001",
                            first_name="Eva", last_name="R"),
        ClientProfileUpdated(**scope, occurred_at=t0.replace(minute=3), changed=["phone", "locale"],
                             email="old@example.com", phone="+34600000002", first_name="Eva", last_name="R",
                             locale="es"),
        ClientEmailChanged(**scope, occurred_at=t0.replace(minute=4), old_email="old@example.com",
                           new_email="new@example.com"),
        # Arrives late (older than what the projection has): changes nothing.
        ClientProfileUpdated(**scope, occurred_at=t0.replace(minute=2), changed=["phone"], email="old@example.com",
                             phone="+34600000009", first_name="Eva", last_name="R", locale="it"),
    ]  # fmt: skip
    for event in events:
        assert await consumer.handle(harness.engine, event.routing_key, event.model_dump_json().encode())
    async with harness.engine.connect() as conn:
        row = (await conn.execute(sa.select(contacts).where(contacts.c.account_id == account))).one()
    assert (row.email, row.phone, row.locale, row.email_verified) == ("new@example.com", "+34600000002", "es", True)

    # Mail for the account now goes to the new address, in Spanish.
    queued = await harness.enqueue(harness.message(business, account))
    await harness.courier().drain()
    (mail,) = harness.mail_to("new@example.com")
    assert mail.subject.startswith("Se cambió tu contraseña")
    assert queued.created
