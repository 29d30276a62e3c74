"""What appointments does with identity's client events (through the inbox)."""

from __future__ import annotations

from regulars.appointments.service_layer import assignment, clients
from regulars.shared.contracts.identity import (
    ClientDeleted,
    ClientEmailChanged,
    ClientEmailVerified,
    ClientProfileUpdated,
    ClientRegistered,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.messaging.consumer import EventConsumer


def client_accounts_consumer() -> EventConsumer:
    consumer = EventConsumer("appointments.client_accounts")

    @consumer.on(ClientRegistered)
    async def on_registered(event: ClientRegistered, uow: UnitOfWork) -> None:
        await assignment.remember_account(uow, event, verified=False)

    @consumer.on(ClientEmailVerified)
    async def on_verified(event: ClientEmailVerified, uow: UnitOfWork) -> None:
        await assignment.claim_on_verification(uow, event)

    @consumer.on(ClientEmailChanged)
    async def on_email_changed(event: ClientEmailChanged, uow: UnitOfWork) -> None:
        await clients.apply_profile_update(
            uow.conn, event.account_id, ["email"], email=event.new_email, phone=None, birthday=None
        )

    @consumer.on(ClientProfileUpdated)
    async def on_profile_updated(event: ClientProfileUpdated, uow: UnitOfWork) -> None:
        await clients.apply_profile_update(
            uow.conn, event.account_id, event.changed, email=event.email, phone=event.phone, birthday=event.birthday
        )

    @consumer.on(ClientDeleted)
    async def on_deleted(event: ClientDeleted, uow: UnitOfWork) -> None:
        await clients.anonymise_account(uow.conn, event.account_id)

    return consumer
