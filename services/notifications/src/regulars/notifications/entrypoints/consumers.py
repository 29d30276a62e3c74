"""Events the notifications service consumes: identity's facts for a client, and client contacts.

Each handler runs in the consumer's unit of work together with its inbox record,
so a redelivered event creates no second message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regulars.notifications.domain.notices import NOTICES, emails_for
from regulars.notifications.service_layer.contacts import erase_contact, upsert_contact
from regulars.notifications.service_layer.messages import MessageRequest, request_message
from regulars.notifications.service_layer.preferences import change_preferences
from regulars.shared import clock
from regulars.shared.contracts.identity import (
    AccountNotice,
    ClientDeleted,
    ClientEmailChanged,
    ClientEmailVerified,
    ClientEvent,
    ClientProfileUpdated,
    ClientRegistered,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.settings import Settings


def identity_messages_consumer(settings: Settings, on_queued: Callable[[], None] | None = None) -> EventConsumer:
    """Identity's facts for a client (``AccountNotice``) -> the stored emails they lead to."""
    consumer = EventConsumer("notifications.identity_messages")

    async def on_notice(event: AccountNotice, uow: UnitOfWork) -> None:
        for email in emails_for(event):
            request = MessageRequest(
                org_id=event.org_id,
                business_id=event.business_id,
                account_id=event.account_id,
                category=email.category,
                channel="email",
                to=email.to,
                locale=event.locale,
                variables=email.variables,
                dedupe_key=f"event:{event.event_id}:{email.template}",
                correlation_id=event.correlation_id,
            )
            await request_message(uow.conn, settings, request, clock.now())
        if on_queued is not None:
            on_queued()

    for notice in NOTICES:
        consumer.on(notice)(on_notice)
    return consumer


# What a client event may say about the person; each event carries some of them.
_CONTACT_FIELDS = ("email", "phone", "first_name", "last_name", "locale")


async def _contact_from(event: ClientEvent, uow: UnitOfWork, **fields: Any) -> None:
    """Apply what a client event says about the contact (older events change nothing).

    The event's own contact fields are taken as they are; ``fields`` add to or override them.
    """
    said = {name: getattr(event, name) for name in _CONTACT_FIELDS if name in type(event).model_fields}
    await upsert_contact(
        uow.conn,
        account_id=event.account_id,
        org_id=event.org_id,
        scope_business_id=event.account_scope_business_id,
        at=event.occurred_at,
        **(said | fields),
    )


def contacts_consumer() -> EventConsumer:
    """Keeps the contacts projection and the sign-up consent from identity's client events."""
    consumer = EventConsumer("notifications.contacts")

    @consumer.on(ClientRegistered)
    async def on_registered(event: ClientRegistered, uow: UnitOfWork) -> None:
        await _contact_from(event, uow)
        if event.business_id is not None:
            consent = event.marketing_opt_in
            await change_preferences(
                uow,
                org_id=event.org_id,
                account_id=event.account_id,
                business_id=event.business_id,
                changes={("email", "marketing"): consent, ("sms", "marketing"): consent},
                source="sign_up",
                now=event.occurred_at,
                publish_unchanged=True,
            )

    @consumer.on(ClientEmailVerified)
    async def on_email_verified(event: ClientEmailVerified, uow: UnitOfWork) -> None:
        await _contact_from(event, uow, email_verified=True)

    @consumer.on(ClientProfileUpdated)
    async def on_profile_updated(event: ClientProfileUpdated, uow: UnitOfWork) -> None:
        await _contact_from(event, uow)

    @consumer.on(ClientEmailChanged)
    async def on_email_changed(event: ClientEmailChanged, uow: UnitOfWork) -> None:
        await _contact_from(event, uow, email=event.new_email)

    @consumer.on(ClientDeleted)
    async def on_deleted(event: ClientDeleted, uow: UnitOfWork) -> None:
        await erase_contact(uow.conn, event.account_id, clock.now())

    return consumer
