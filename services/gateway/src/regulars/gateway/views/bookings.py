"""Booking and the client's bookings: ``/api/v1/b/{business}/bookings`` and ``…/me/bookings…``.

A signed-in client books as themself; anyone else books as a guest unless the business
requires accounts (R-S1). Guests manage a booking through the signed link of its email:
reading it (GET) never changes anything, only a POST does (R-A3).
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.gateway.auth import optional_client, require_client
from regulars.gateway.keys import CLIENTS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid, path_value
from regulars.gateway.tenancy import resolve_business
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.input import read_json
from regulars.shared.http.internal import Principal, internal_path
from regulars.shared.idempotency import HEADER as IDEMPOTENCY_HEADER
from regulars.shared.locale import Locale

TAG = "booking"
BASE = "/api/v1/b/{business}"
AUTH = {
    401: "not_signed_in: no session, or it ended.",
    403: "csrf_failed: a cookie session must send X-CSRF-Token on unsafe requests.",
    404: "booking_not_found, or the session does not belong to this business's client database.",
}
MANAGE_HEADER = "X-Manage-Token"


class ClientDetails(BaseModel):
    first_name: str
    last_name: str = ""
    email: str
    phone: str


class Pet(BaseModel):
    name: str
    species: str = "dog"
    breed: str = ""
    notes: str = ""


class BookingRequest(BaseModel):
    service_id: str
    staff_id: str | None = Field(None, description="Leave out for anyone free")
    start: str = Field(description="A free slot's start, ISO 8601 with offset")
    client: ClientDetails = Field(description="Name, email and phone (R-I2); pre-filled for signed-in clients")
    notes: str = ""
    pet: Pet | None = Field(None, description="Pet businesses only")
    intake_answers: dict[str, str] = {}
    locale: Locale | None = None


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
    status: Literal["booked", "confirmed", "cancelled", "completed", "no_show"]
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
    when: Literal["upcoming", "past"]
    bookings: list[Booking]


class Policy(BaseModel):
    booking_id: str
    timezone: str
    now: str
    policy: dict[str, Any]
    actions: dict[str, ActionRule]


class RescheduleRequest(BaseModel):
    start: str
    staff_id: str | None = None


class CancelRequest(BaseModel):
    reason: str | None = None


class ProductRequest(BaseModel):
    product_id: str
    quantity: int = 1


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


ACTION_BODIES: dict[str, type[BaseModel] | None] = {
    "reschedule": RescheduleRequest,
    "cancel": CancelRequest,
    "confirm": None,
    "products": ProductRequest,
}


def _calendar(body: dict[str, Any]) -> web.Response:
    return web.Response(
        text=body["ics"],
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{body["filename"]}"', "Cache-Control": "no-store"},
    )


async def _appointments(
    request: web.Request,
    method: str,
    path: str,
    principal: Principal,
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    return await request.app[CLIENTS]["appointments"].request(
        method, path, principal=principal, json=json, params=params, headers=headers
    )


def _booking_path(request: web.Request, tail: str = "") -> str:
    """``tail`` is a constant of this module (``/policy``, ``/cancel``…), never request input."""
    return internal_path("/internal/me/bookings/{booking_id}" + tail, booking_id=path_uuid(request, "booking_id"))


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "POST", BASE + "/bookings",
        summary="Book a service (signed in, or as a guest unless the business requires accounts); "
        "send an Idempotency-Key header",
        tag=TAG, request=BookingRequest, response=BookingCreated, status=201, auth="optional_client",
        errors={
            400: "idempotency_key_required, invalid_json",
            401: "account_required: this business requires clients to sign in (R-S1)",
            409: "slot_unavailable: the time is taken or not free",
            422: "validation_error, start_in_past, invalid_intake_answers, not_bookable_online, "
            "idempotency_key_reused",
        },
    )  # fmt: skip
    async def create_booking(request: web.Request) -> web.Response:
        client = await optional_client(request)
        if client is not None:
            principal = client.principal
        else:
            business = await resolve_business(request)
            principal = Principal(org_id=business.org_id, business_id=business.business_id)
        body = read_json(await request.read())
        key = request.headers.get(IDEMPOTENCY_HEADER)
        headers = {IDEMPOTENCY_HEADER: key} if key else {}
        status, answer = await _appointments(
            request, "POST", "/internal/bookings", principal, json=body, headers=headers
        )
        return json_response(BookingCreated.model_validate(answer), status=status)

    @routes.route(
        "GET", BASE + "/me/bookings", summary="My bookings: ?when=upcoming|past (R-A2); every location of a "
        "global client database, each labelled", tag=TAG, response=BookingList, errors=AUTH,
    )  # fmt: skip
    async def list_my_bookings(request: web.Request) -> web.Response:
        client = await require_client(request)
        params = {"when": request.query.get("when", "upcoming")}
        _, body = await _appointments(request, "GET", "/internal/me/bookings", client.principal, params=params)
        return json_response(BookingList.model_validate(body))

    @routes.route(
        "GET", BASE + "/me/bookings/{booking_id}", summary="One of my bookings, with the actions allowed now",
        tag=TAG, response=BookingAnswer, errors=AUTH,
    )  # fmt: skip
    async def get_my_booking(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await _appointments(request, "GET", _booking_path(request), client.principal)
        return json_response(BookingAnswer.model_validate(body))

    @routes.route(
        "GET", BASE + "/me/bookings/{booking_id}/policy",
        summary="Before acting: until when each action is allowed, any fee, and why not (R-S3)",
        tag=TAG, response=Policy, errors=AUTH,
    )  # fmt: skip
    async def get_my_booking_policy(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await _appointments(request, "GET", _booking_path(request, "/policy"), client.principal)
        return json_response(Policy.model_validate(body))

    @routes.route(
        "GET", BASE + "/me/bookings/{booking_id}/calendar.ics",
        summary="The booking as an iCalendar file (stable UID; METHOD:CANCEL once cancelled)", tag=TAG, errors=AUTH,
    )  # fmt: skip
    async def get_my_booking_calendar(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await _appointments(request, "GET", _booking_path(request, "/calendar.ics"), client.principal)
        return _calendar(body)

    for action, model in ACTION_BODIES.items():
        _register_action(routes, action, model)

    for name, method, path, internal, model, summary in CLIENT_READS:
        _register_client_read(routes, name, method, path, internal, model, summary)

    @routes.route(
        "GET", "/api/v1/calendar-feeds/{feed}", summary="A client's calendar feed: the secret address ending in .ics",
        tag=TAG, errors={404: "calendar_feed_not_found"},
    )  # fmt: skip
    async def get_calendar_feed(request: web.Request) -> web.Response:
        path = internal_path("/internal/calendar-feeds/{token}.ics", token=path_value(request, "feed"))
        _, body = await _appointments(request, "GET", path, Principal())
        return _calendar(body)

    @routes.route(
        "GET", BASE + "/manage", summary="Guests: the booking behind a manage link (?token=); changes nothing",
        tag=TAG, response=BookingAnswer, errors={404: "invalid_manage_link"},
    )  # fmt: skip
    async def get_managed_booking(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        principal = Principal(org_id=business.org_id, business_id=business.business_id)
        params = {"token": request.query.get("token", "")}
        _, body = await _appointments(request, "GET", "/internal/manage", principal, params=params)
        return json_response(BookingAnswer.model_validate(body))

    @routes.route(
        "GET", BASE + "/manage/calendar.ics", summary="Guests: the booking as an iCalendar file (?token=)",
        tag=TAG, errors={404: "invalid_manage_link"},
    )  # fmt: skip
    async def get_managed_booking_calendar(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        principal = Principal(org_id=business.org_id, business_id=business.business_id)
        params = {"token": request.query.get("token", "")}
        _, body = await _appointments(request, "GET", "/internal/manage/calendar.ics", principal, params=params)
        return _calendar(body)

    for action, model in ACTION_BODIES.items():
        _register_guest_action(routes, action, model)


# Views that answer, for the signed-in client, one resource of the appointments service.
CLIENT_READS: list[tuple[str, str, str, str, type[BaseModel], str]] = [
    ("get_my_history", "GET", "/me/history", "/internal/me/history", History,
     "Completed services: what, provider, date and location (R-A10)"),
    ("get_my_booking_prefill", "GET", "/me/booking-prefill", "/internal/me/prefill", Prefill,
     "Answers a returning client need not type again (R-I10)"),
    ("get_my_calendar_feed", "GET", "/me/calendar-feed", "/internal/me/calendar-feed", CalendarFeed,
     "The secret webcal:// feed of all my bookings"),
    ("rotate_my_calendar_feed", "POST", "/me/calendar-feed/rotate", "/internal/me/calendar-feed/rotate",
     CalendarFeed, "A new feed address; the old one stops working"),
]  # fmt: skip


def _register_client_read(
    routes: ApiRoutes, name: str, method: str, path: str, internal: str, model: type[BaseModel], summary: str
) -> None:
    async def read(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await _appointments(request, method, internal, client.principal)
        return json_response(model.model_validate(body))

    read.__name__ = name
    routes.route(method, BASE + path, summary=summary, tag=TAG, response=model, errors=AUTH)(read)


def _register_action(routes: ApiRoutes, action: str, model: type[BaseModel] | None) -> None:
    async def act(request: web.Request) -> web.Response:
        client = await require_client(request)
        body = (await parse_body(request, model)).model_dump(exclude_none=True) if model else None
        _, answer = await _appointments(
            request, "POST", _booking_path(request, f"/{action}"), client.principal, json=body
        )
        return json_response(BookingAnswer.model_validate(answer))

    act.__name__ = f"{action}_my_booking"
    routes.route(
        "POST", BASE + "/me/bookings/{booking_id}/" + action,
        summary=f"{action.capitalize()} my booking (the server applies the business's policy with its own clock)",
        tag=TAG, request=model, response=BookingAnswer,
        errors={**AUTH, 409: "inside_policy_window, online_cancel_disabled, online_reschedule_disabled, "
                "booking_cancelled, booking_in_past, slot_unavailable, out_of_stock, already_confirmed"},
    )(act)  # fmt: skip


def _register_guest_action(routes: ApiRoutes, action: str, model: type[BaseModel] | None) -> None:
    async def act(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        principal = Principal(org_id=business.org_id, business_id=business.business_id)
        body = (await parse_body(request, model)).model_dump(exclude_none=True) if model else None
        token = request.headers.get(MANAGE_HEADER, "")
        _, answer = await _appointments(
            request, "POST", f"/internal/manage/{action}", principal, json=body, headers={MANAGE_HEADER: token}
        )
        return json_response(BookingAnswer.model_validate(answer))

    act.__name__ = f"{action}_managed_booking"
    routes.route(
        "POST", BASE + "/manage/" + action,
        summary=f"Guests: {action} the booking of a manage link (token in the {MANAGE_HEADER} header)",
        tag=TAG, request=model, response=BookingAnswer,
        errors={404: "invalid_manage_link", 409: "inside_policy_window and the other policy codes"},
    )(act)  # fmt: skip
