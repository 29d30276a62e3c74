"""The appointments service's contracts: its internal booking API and the events it publishes.

The booking requests and answers are validated by both sides with these models: the gateway
before it calls (and in the public OpenAPI document), the service when it is called and when
it answers. Times in answers are ISO 8601 text with the business's offset.

Each appointment event carries what the wallet and notifications need: the service,
staff, start and end (ISO 8601 with offset), price and currency, the account it is
assigned to (if any) and, for messages to guests, the email and locale.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from regulars.shared.contracts.dates import Moment
from regulars.shared.contracts.events import Event
from regulars.shared.emails import Email
from regulars.shared.locale import Locale
from regulars.shared.phones import Phone

AppointmentStatus = Literal["booked", "confirmed", "cancelled", "completed", "no_show"]
BookingAction = Literal["reschedule", "cancel", "confirm", "products"]
BookingWhen = Literal["upcoming", "past"]

# --- Internal API: requests ----------------------------------------------------------


class ClientDetails(BaseModel):
    """Who the booking is for (R-I2: name, email and phone for guests)."""

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: Email
    phone: Phone


class PetDetails(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    species: str = Field(default="dog", max_length=50)
    breed: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=500)


class BookingRequest(BaseModel):
    service_id: uuid.UUID
    staff_id: uuid.UUID | None = Field(None, description="Leave out for anyone free")
    start: Moment = Field(description="A free slot's start, ISO 8601 with offset")
    client: ClientDetails = Field(description="Name, email and phone (R-I2); pre-filled for signed-in clients")
    notes: str = Field(default="", max_length=1000)
    pet: PetDetails | None = Field(None, description="Pet businesses only")
    intake_answers: dict[str, str] = Field(default_factory=dict)
    locale: Locale | None = None


class RescheduleRequest(BaseModel):
    start: Moment
    staff_id: uuid.UUID | None = None


class CancelRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class ProductReservation(BaseModel):
    product_id: uuid.UUID
    quantity: int = Field(default=1, ge=1, le=20)


ACTION_REQUESTS: dict[BookingAction, type[BaseModel] | None] = {
    "reschedule": RescheduleRequest,
    "cancel": CancelRequest,
    "confirm": None,
    "products": ProductReservation,
}
"""The body each booking action takes (None: no body)."""

# --- Internal API: answers -----------------------------------------------------------


class IntakeQuestion(BaseModel):
    id: str
    label: str
    kind: str
    choices: list[str] = []
    required: bool = False


class ServiceItem(BaseModel):
    id: str
    name: str
    description: str
    category: str
    duration_minutes: int
    price_minor: int = Field(description="In minor units of the currency")
    currency: str
    staff_ids: list[str]
    online_booking: bool
    prepayment_required: bool
    intake_questions: list[IntakeQuestion]


class ServiceList(BaseModel):
    services: list[ServiceItem]


class StaffItem(BaseModel):
    id: str
    name: str
    title: str
    service_ids: list[str]


class StaffList(BaseModel):
    staff: list[StaffItem]


class ProductItem(BaseModel):
    id: str
    name: str
    description: str
    price_minor: int
    currency: str
    stock: int
    active: bool


class ProductList(BaseModel):
    products: list[ProductItem]


class FreeSlot(BaseModel):
    start: str = Field(description="ISO 8601 with the business's offset")
    end: str
    staff_ids: list[str] = Field(description="Staff free at that time")


class Availability(BaseModel):
    service_id: str
    timezone: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    slots: list[FreeSlot]


DayStatus = Literal["open", "full", "closed", "past"]


class CalendarDay(BaseModel):
    date: str = Field(description="YYYY-MM-DD, a day in the business's time zone")
    status: DayStatus = Field(
        description="open: has free times; full: people work but every time is taken; "
        "closed: nobody who performs the service works (no hours, or time off); past"
    )
    free_times: int = Field(description="How many free start times the day has")


class AvailabilityMonth(BaseModel):
    """A month's calendar of a service (R-A1): which days have free times."""

    service_id: str
    staff_id: str | None = Field(description="The staff member searched, or null for anyone")
    timezone: str
    month: str = Field(description="YYYY-MM")
    first_free_day: str | None = Field(description="The month's first day with free times (YYYY-MM-DD), if any")
    days: list[CalendarDay] = Field(description="Every day of the month, in order")


class ActionRule(BaseModel):
    allowed: bool
    until: str | None = Field(None, description="Allowed until this time (ISO 8601), or the time it stopped")
    reason: str | None = Field(None, description="Why not: a stable code")
    fee_minor: int | None = None
    currency: str | None = None


class Named(BaseModel):
    id: str
    name: str


class BusinessLabel(BaseModel):
    slug: str
    name: str
    timezone: str


class ReservedProduct(BaseModel):
    product_id: str
    name: str
    quantity: int
    price_minor: int
    currency: str


class Booking(BaseModel):
    id: str
    status: AppointmentStatus
    business: BusinessLabel = Field(description="The location (business) of the booking")
    service: Named
    staff: Named
    starts_at: str
    ends_at: str
    price_minor: int
    currency: str
    notes: str
    pet: dict[str, Any] | None
    intake_answers: dict[str, str]
    products: list[ReservedProduct]
    cancel_reason: str | None
    actions: dict[str, ActionRule] = Field(
        description="confirm, reschedule, cancel, rebook, add_to_calendar, reserve_product: allowed now, until, why not"
    )


class ReschedulePreview(BaseModel):
    """A reschedule before anything moves (R-A3, R-S3): the booking as it is, and as it would be."""

    before: Booking
    after: Booking = Field(
        description="At the new time: who would do it, and each action (cancel, reschedule…) as it would then "
        "stand under the business's policy: allowed or not, until when"
    )


class AccountOffer(BaseModel):
    first_name: str
    last_name: str
    email: str
    phone: str


class BookingCreated(BaseModel):
    booking: Booking
    manage_link: str | None = Field(None, description="Guests: the signed link to manage the booking")
    account_offer: AccountOffer | None = Field(None, description="Guests: create an account, pre-filled (R-I1)")


class BookingAnswer(BaseModel):
    booking: Booking


class BookingList(BaseModel):
    when: BookingWhen
    bookings: list[Booking]


class Policy(BaseModel):
    booking_id: str
    timezone: str
    now: str
    policy: dict[str, Any]
    actions: dict[str, ActionRule]


class HistoryItem(BaseModel):
    kind: Literal["service"]
    booking_id: str
    what: str
    provider: str
    date: str
    location: dict[str, str]
    price_minor: int
    currency: str


class History(BaseModel):
    history: list[HistoryItem]


class Prefill(BaseModel):
    phone: str | None
    intake_answers: dict[str, str]


class CalendarFeed(BaseModel):
    url: str = Field(description="webcal:// address of all your bookings; keep it secret")
    https_url: str


class CalendarFile(BaseModel):
    """An iCalendar file inside the system (JSON); the gateway answers it as text/calendar."""

    filename: str
    ics: str


# --- Events --------------------------------------------------------------------------


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
