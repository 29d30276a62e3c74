"""Booking emails: confirmation (with the .ics), change, cancellation, and the reminder
24 hours before, scheduled and voided when the booking is cancelled, moved or deleted.

Consumes the appointments service's events; each message goes through the same
pipeline as every other (templates in four languages, preferences at send time).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from regulars.notifications.domain.message_types import (
    AppointmentBookedVariables,
    AppointmentCancelledVariables,
    AppointmentReminderVariables,
    AppointmentRescheduledVariables,
    BookingVariables,
    TemplateVariables,
)
from regulars.notifications.service_layer.messages import MessageRequest, request_message, void_subject
from regulars.shared.clock import Clock
from regulars.shared.clock import now as clock_now
from regulars.shared.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentDeleted,
    AppointmentEvent,
    AppointmentRescheduled,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.links import widget_link
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.settings import Settings
from regulars.shared.tenancy import get_business

REMINDER_LEAD = timedelta(hours=24)


def reminder_ref(appointment_id: object, sequence: int) -> str:
    """One reference per version of the booking: moving it voids the old reminder, not the new."""
    return f"appointment:{appointment_id}:reminder:{sequence}"


async def _link(uow: UnitOfWork, settings: Settings, event: AppointmentEvent, manage_link: str | None) -> str:
    if manage_link and event.appointment.account_id is None:
        return manage_link
    business = await get_business(uow.conn, event.business_id) if event.business_id else None
    slug = business.slug if business else ""
    return widget_link(settings.public_url, slug, "account/bookings")


def _variables(event: AppointmentEvent, message: type[BookingVariables], link: str) -> BookingVariables:
    a = event.appointment
    return message(
        first_name=a.client_first_name,
        service_name=a.service_name,
        staff_name=a.staff_name,
        starts_at=a.starts_at,
        link=link,
    )


async def _email(
    uow: UnitOfWork,
    settings: Settings,
    event: AppointmentEvent,
    variables: TemplateVariables,
    *,
    now: datetime,
    due_at: datetime | None = None,
    subject_ref: str | None = None,
    dedupe: str | None = None,
) -> None:
    a = event.appointment
    if not a.email:
        return  # an anonymised client: nobody to write to
    attachments = (
        [{"filename": "booking.ics", "content_type": "text/calendar", "content": event.calendar_ics}]
        if event.calendar_ics and due_at is None
        else []
    )
    await request_message(
        uow.conn,
        settings,
        MessageRequest(
            org_id=event.org_id,
            business_id=event.business_id,
            account_id=a.account_id,
            category="transactional",
            channel="email",
            to=a.email,
            locale=a.locale,
            variables=variables,
            due_at=due_at,
            subject_ref=subject_ref,
            attachments=attachments,
            dedupe_key=dedupe or f"event:{event.event_id}:email",
            correlation_id=event.correlation_id,
        ),
        now,
    )


async def _schedule_reminder(uow: UnitOfWork, settings: Settings, event: AppointmentEvent, now: datetime) -> None:
    a = event.appointment
    due = a.starts_at - REMINDER_LEAD
    if due <= now:
        return  # booked less than a day ahead: the confirmation is the reminder
    reminder = AppointmentReminderVariables(
        first_name=a.client_first_name, service_name=a.service_name, starts_at=a.starts_at
    )
    ref = reminder_ref(a.appointment_id, a.sequence)
    await _email(uow, settings, event, reminder, now=now, due_at=due, subject_ref=ref, dedupe=f"{ref}:email")


async def _void_reminders(uow: UnitOfWork, event: AppointmentEvent, up_to: int, reason: str, now: datetime) -> None:
    for sequence in range(up_to + 1):
        await void_subject(
            uow.conn, event.org_id, reminder_ref(event.appointment.appointment_id, sequence), reason, now
        )


def appointment_messages_consumer(settings: Settings, clock: Clock = clock_now) -> EventConsumer:
    consumer = EventConsumer("notifications.appointment_messages")

    @consumer.on(AppointmentBooked)
    async def on_booked(event: AppointmentBooked, uow: UnitOfWork) -> None:
        now = clock()
        link = await _link(uow, settings, event, event.manage_link)
        await _email(uow, settings, event, _variables(event, AppointmentBookedVariables, link), now=now)
        await _schedule_reminder(uow, settings, event, now)

    @consumer.on(AppointmentRescheduled)
    async def on_rescheduled(event: AppointmentRescheduled, uow: UnitOfWork) -> None:
        now = clock()
        await _void_reminders(uow, event, event.appointment.sequence - 1, "rescheduled", now)
        link = await _link(uow, settings, event, None)
        await _email(uow, settings, event, _variables(event, AppointmentRescheduledVariables, link), now=now)
        await _schedule_reminder(uow, settings, event, now)

    @consumer.on(AppointmentCancelled)
    async def on_cancelled(event: AppointmentCancelled, uow: UnitOfWork) -> None:
        now = clock()
        await _void_reminders(uow, event, event.appointment.sequence, "cancelled", now)
        business = await get_business(uow.conn, event.business_id) if event.business_id else None
        rebook = widget_link(settings.public_url, business.slug if business else "", "book")
        await _email(uow, settings, event, _variables(event, AppointmentCancelledVariables, rebook), now=now)

    @consumer.on(AppointmentDeleted)
    async def on_deleted(event: AppointmentDeleted, uow: UnitOfWork) -> None:
        await _void_reminders(uow, event, event.appointment.sequence, "deleted", clock())

    return consumer
