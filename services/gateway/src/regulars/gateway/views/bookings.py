"""Booking and the client's bookings: ``/api/v1/b/{business}/bookings`` and ``…/me/bookings…``.

A signed-in client books as themself; anyone else books as a guest unless the business
requires accounts (R-S1). Guests manage a booking through the signed link of its email:
reading it (GET) never changes anything, only a POST does (R-A3).

Requests and answers are the appointments contracts (``regulars.shared.contracts.appointments``),
the calls go through ``AppointmentsClient``; the route table at the end names each handler.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from regulars.gateway.auth import optional_client, require_client
from regulars.gateway.clients.appointments import MANAGE_HEADER, AppointmentsClient
from regulars.gateway.clients.base import Json
from regulars.gateway.openapi import ApiRoutes, ViewHandler
from regulars.gateway.paths import path_uuid, path_value
from regulars.gateway.tenancy import visitor
from regulars.shared import idempotency
from regulars.shared.contracts import appointments as contract
from regulars.shared.http.app import json_response, parse_body, parse_query

TAG = "booking"
BASE = "/api/v1/b/{business}"
AUTH = {
    401: "not_signed_in: no session, or it ended.",
    403: "csrf_failed: a cookie session must send X-CSRF-Token on unsafe requests.",
    404: "booking_not_found, or the session does not belong to this business's client database.",
}


def _calendar(file: contract.CalendarFile) -> web.Response:
    return web.Response(
        text=file.ics,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', "Cache-Control": "no-store"},
    )


async def _action_body(request: web.Request, action: contract.BookingAction) -> BaseModel | None:
    model = contract.ACTION_REQUESTS[action]
    return await parse_body(request, model) if model is not None else None


async def create_booking(request: web.Request) -> web.Response:
    client = await optional_client(request)
    principal = client.principal if client is not None else await visitor(request)
    body = await parse_body(request, Json)
    # The key before the fields, as the service checks them.
    key = idempotency.validate_key(request.headers.get(idempotency.HEADER))
    booking = contract.BookingRequest.model_validate(body.root)
    created = await AppointmentsClient.of(request).book(principal, booking, key)
    return json_response(created, status=201)


async def list_my_bookings(request: web.Request) -> web.Response:
    client = await require_client(request)
    when = request.query.get("when", "upcoming")
    return json_response(await AppointmentsClient.of(request).my_bookings(client.principal, when))


async def get_my_booking(request: web.Request) -> web.Response:
    client = await require_client(request)
    booking_id = path_uuid(request, "booking_id")
    return json_response(await AppointmentsClient.of(request).my_booking(client.principal, booking_id))


async def get_my_booking_policy(request: web.Request) -> web.Response:
    client = await require_client(request)
    booking_id = path_uuid(request, "booking_id")
    return json_response(await AppointmentsClient.of(request).my_policy(client.principal, booking_id))


async def preview_my_reschedule(request: web.Request) -> web.Response:
    client = await require_client(request)
    booking_id = path_uuid(request, "booking_id")
    move = parse_query(request, contract.RescheduleRequest)
    return json_response(await AppointmentsClient.of(request).my_reschedule_preview(client.principal, booking_id, move))


async def get_my_booking_calendar(request: web.Request) -> web.Response:
    client = await require_client(request)
    booking_id = path_uuid(request, "booking_id")
    return _calendar(await AppointmentsClient.of(request).my_booking_calendar(client.principal, booking_id))


async def _act(request: web.Request, action: contract.BookingAction, *, guest: bool = False) -> web.Response:
    """The client's own booking (path), or a guest's through the token of its manage link (header)."""
    appointments = AppointmentsClient.of(request)
    if guest:
        principal, token = await visitor(request), request.headers.get(MANAGE_HEADER, "")
        body = await _action_body(request, action)
        return json_response(await appointments.act_as_guest(principal, token, action, body))
    client = await require_client(request)
    body = await _action_body(request, action)
    return json_response(await appointments.act(client.principal, path_uuid(request, "booking_id"), action, body))


async def reschedule_my_booking(request: web.Request) -> web.Response:
    return await _act(request, "reschedule")


async def cancel_my_booking(request: web.Request) -> web.Response:
    return await _act(request, "cancel")


async def confirm_my_booking(request: web.Request) -> web.Response:
    return await _act(request, "confirm")


async def products_my_booking(request: web.Request) -> web.Response:
    return await _act(request, "products")


async def get_my_history(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await AppointmentsClient.of(request).my_history(client.principal))


async def get_my_booking_prefill(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await AppointmentsClient.of(request).my_prefill(client.principal))


async def get_my_calendar_feed(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await AppointmentsClient.of(request).my_calendar_feed(client.principal))


async def rotate_my_calendar_feed(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await AppointmentsClient.of(request).my_calendar_feed(client.principal, rotate=True))


async def get_calendar_feed(request: web.Request) -> web.Response:
    return _calendar(await AppointmentsClient.of(request).calendar_feed(path_value(request, "feed")))


async def get_managed_booking(request: web.Request) -> web.Response:
    principal = await visitor(request)
    token = request.query.get("token", "")
    return json_response(await AppointmentsClient.of(request).managed_booking(principal, token))


async def get_managed_booking_calendar(request: web.Request) -> web.Response:
    principal = await visitor(request)
    token = request.query.get("token", "")
    return _calendar(await AppointmentsClient.of(request).managed_calendar(principal, token))


async def preview_managed_reschedule(request: web.Request) -> web.Response:
    principal = await visitor(request)
    token, move = request.query.get("token", ""), parse_query(request, contract.RescheduleRequest)
    return json_response(await AppointmentsClient.of(request).managed_reschedule_preview(principal, token, move))


async def reschedule_managed_booking(request: web.Request) -> web.Response:
    return await _act(request, "reschedule", guest=True)


async def cancel_managed_booking(request: web.Request) -> web.Response:
    return await _act(request, "cancel", guest=True)


async def confirm_managed_booking(request: web.Request) -> web.Response:
    return await _act(request, "confirm", guest=True)


async def products_managed_booking(request: web.Request) -> web.Response:
    return await _act(request, "products", guest=True)


MY_ACTIONS: dict[contract.BookingAction, ViewHandler] = {
    "reschedule": reschedule_my_booking, "cancel": cancel_my_booking,
    "confirm": confirm_my_booking, "products": products_my_booking,
}  # fmt: skip
GUEST_ACTIONS: dict[contract.BookingAction, ViewHandler] = {
    "reschedule": reschedule_managed_booking, "cancel": cancel_managed_booking,
    "confirm": confirm_managed_booking, "products": products_managed_booking,
}  # fmt: skip
POLICY_CODES = (
    "inside_policy_window, online_cancel_disabled, online_reschedule_disabled, "
    "booking_cancelled, booking_in_past, slot_unavailable, out_of_stock, already_confirmed"
)


def register(routes: ApiRoutes) -> None:
    routes.route(
        "POST", BASE + "/bookings",
        summary="Book a service (signed in, or as a guest unless the business requires accounts); "
        "send an Idempotency-Key header",
        tag=TAG, request=contract.BookingRequest, response=contract.BookingCreated, status=201,
        auth="optional_client",
        errors={
            400: "idempotency_key_required, invalid_json",
            401: "account_required: this business requires clients to sign in (R-S1)",
            409: "slot_unavailable: the time is taken or not free; idempotency_key_reused: this "
            "Idempotency-Key came with another request",
            422: "validation_error, start_in_past, invalid_intake_answers, not_bookable_online",
        },
    )(create_booking)  # fmt: skip
    routes.route(
        "GET", BASE + "/me/bookings", summary="My bookings: ?when=upcoming|past (R-A2); every location of a "
        "global client database, each labelled", tag=TAG, response=contract.BookingList, errors=AUTH,
    )(list_my_bookings)  # fmt: skip
    routes.route(
        "GET", BASE + "/me/bookings/{booking_id}", summary="One of my bookings, with the actions allowed now",
        tag=TAG, response=contract.BookingAnswer, errors=AUTH,
    )(get_my_booking)  # fmt: skip
    routes.route(
        "GET", BASE + "/me/bookings/{booking_id}/policy",
        summary="Before acting: until when each action is allowed, any fee, and why not (R-S3)",
        tag=TAG, response=contract.Policy, errors=AUTH,
    )(get_my_booking_policy)  # fmt: skip
    routes.route(
        "GET", BASE + "/me/bookings/{booking_id}/calendar.ics",
        summary="The booking as an iCalendar file (stable UID; METHOD:CANCEL once cancelled)", tag=TAG, errors=AUTH,
    )(get_my_booking_calendar)  # fmt: skip
    routes.route(
        "GET", BASE + "/me/bookings/{booking_id}/reschedule-preview",
        summary="Before rescheduling: ?start=[&staff_id=] answers the booking as it is and as the move would leave "
        "it (who, when, and until when it could still be cancelled online); nothing moves (R-A3, R-S3)",
        tag=TAG, response=contract.ReschedulePreview,
        errors={**AUTH, 409: POLICY_CODES, 422: "validation_error, start_in_past, start_too_far_ahead, "
                "staff_does_not_perform_service"},
    )(preview_my_reschedule)  # fmt: skip
    for action, handler in MY_ACTIONS.items():
        routes.route(
            "POST", BASE + "/me/bookings/{booking_id}/" + action,
            summary=f"{action.capitalize()} my booking (the server applies the business's policy with its own clock)",
            tag=TAG, request=contract.ACTION_REQUESTS[action], response=contract.BookingAnswer,
            errors={**AUTH, 409: POLICY_CODES},
        )(handler)  # fmt: skip
    for method, path, handler, model, summary in CLIENT_READS:
        routes.route(method, BASE + path, summary=summary, tag=TAG, response=model, errors=AUTH)(handler)
    routes.route(
        "GET", "/api/v1/calendar-feeds/{feed}", summary="A client's calendar feed: the secret address ending in .ics",
        tag=TAG, errors={404: "calendar_feed_not_found"},
    )(get_calendar_feed)  # fmt: skip
    routes.route(
        "GET", BASE + "/manage", summary="Guests: the booking behind a manage link (?token=); changes nothing",
        tag=TAG, response=contract.BookingAnswer, errors={404: "invalid_manage_link"},
    )(get_managed_booking)  # fmt: skip
    routes.route(
        "GET", BASE + "/manage/calendar.ics", summary="Guests: the booking as an iCalendar file (?token=)",
        tag=TAG, errors={404: "invalid_manage_link"},
    )(get_managed_booking_calendar)  # fmt: skip
    routes.route(
        "GET", BASE + "/manage/reschedule-preview",
        summary="Guests: a reschedule before anything moves (?token=&start=[&staff_id=]), as for my bookings",
        tag=TAG, response=contract.ReschedulePreview,
        errors={404: "invalid_manage_link", 409: "inside_policy_window and the other policy codes",
                422: "validation_error, start_in_past, start_too_far_ahead"},
    )(preview_managed_reschedule)  # fmt: skip
    for action, handler in GUEST_ACTIONS.items():
        routes.route(
            "POST", BASE + "/manage/" + action,
            summary=f"Guests: {action} the booking of a manage link (token in the {MANAGE_HEADER} header)",
            tag=TAG, request=contract.ACTION_REQUESTS[action], response=contract.BookingAnswer,
            errors={404: "invalid_manage_link", 409: "inside_policy_window and the other policy codes"},
        )(handler)  # fmt: skip


# Views that answer, for the signed-in client, one resource of the appointments service.
CLIENT_READS: list[tuple[str, str, ViewHandler, type[BaseModel], str]] = [
    ("GET", "/me/history", get_my_history, contract.History,
     "Completed services: what, provider, date and location (R-A10)"),
    ("GET", "/me/booking-prefill", get_my_booking_prefill, contract.Prefill,
     "Answers a returning client need not type again (R-I10)"),
    ("GET", "/me/calendar-feed", get_my_calendar_feed, contract.CalendarFeed,
     "The secret webcal:// feed of all my bookings"),
    ("POST", "/me/calendar-feed/rotate", rotate_my_calendar_feed, contract.CalendarFeed,
     "A new feed address; the old one stops working"),
]  # fmt: skip
