"""Events published by the appointments service.

Each appointment event carries what the wallet and notifications need: the service,
staff, start and end (ISO 8601 with offset), price and currency, the account it is
assigned to (if any) and, for messages to guests, the email and locale.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from regulars.shared.contracts.events import Event

AppointmentStatus = Literal["booked", "confirmed", "cancelled", "completed", "no_show"]


class AppointmentFacts(BaseModel):
    appointment_id: uuid.UUID
    status: AppointmentStatus
    service_id: uuid.UUID
    service_name: str
    staff_id: uuid.UUID
    staff_name: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(description="The business's IANA time zone")
    price_minor: int = Field(description="Price in minor units of the currency")
    currency: str
    account_id: uuid.UUID | None = None
    client_record_id: uuid.UUID
    client_first_name: str
    email: str | None = None
    locale: str = "en"
    booked_by: Literal["client", "guest", "staff"]
    sequence: int = Field(0, description="iCalendar SEQUENCE; grows with every change")


class AppointmentEvent(Event):
    appointment: AppointmentFacts
    calendar_ics: str | None = Field(
        None, description="The booking as an iCalendar file (booked, rescheduled, cancelled), for the email"
    )


class AppointmentBooked(AppointmentEvent):
    routing_key = "appointments.appointment.booked.v1"
    manage_link: str | None = Field(None, description="Signed link for a guest to manage the booking")


class AppointmentRescheduled(AppointmentEvent):
    routing_key = "appointments.appointment.rescheduled.v1"
    previous_starts_at: datetime
    previous_staff_id: uuid.UUID


class AppointmentCancelled(AppointmentEvent):
    routing_key = "appointments.appointment.cancelled.v1"
    reason: str | None = None
    cancelled_by: Literal["client", "guest", "staff"]


class AppointmentConfirmed(AppointmentEvent):
    routing_key = "appointments.appointment.confirmed.v1"


class AppointmentCompleted(AppointmentEvent):
    routing_key = "appointments.appointment.completed.v1"


class AppointmentNoShow(AppointmentEvent):
    routing_key = "appointments.appointment.no_show.v1"


class AppointmentDeleted(AppointmentEvent):
    routing_key = "appointments.appointment.deleted.v1"


class AppointmentAssigned(AppointmentEvent):
    routing_key = "appointments.appointment.assigned.v1"
    how: Literal["signed_in", "claimed_on_verification", "staff_booked", "staff_assigned"]


class ProductReserved(Event):
    routing_key = "appointments.product.reserved.v1"
    appointment_id: uuid.UUID
    account_id: uuid.UUID | None = None
    product_id: uuid.UUID
    product_name: str
    quantity: int
    price_minor: int
    currency: str
