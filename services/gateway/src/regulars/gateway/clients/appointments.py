"""The gateway's client of the appointments service: one method per internal route it uses."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from regulars.gateway.caller import business_principal
from regulars.gateway.clients.base import Json, M, ServiceApi
from regulars.shared.contracts import appointments as contract
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal, internal_path
from regulars.shared.idempotency import HEADER as IDEMPOTENCY_HEADER

MANAGE_HEADER = "X-Manage-Token"
MY_BOOKING = "/internal/me/bookings/{booking_id}"


def _move_params(move: contract.RescheduleRequest) -> dict[str, str]:
    params = {"start": move.start.isoformat()}
    if move.staff_id is not None:
        params["staff_id"] = str(move.staff_id)
    return params


class AppointmentsClient(ServiceApi):
    """Every answer is validated against its contract before a view sees it."""

    service = "appointments"

    # --- Catalog and free times (any visitor of the business) ---------------------------

    async def services(self, principal: Principal) -> contract.ServiceList:
        return await self._call(contract.ServiceList, "GET", "/internal/catalog/services", principal)

    async def staff(self, principal: Principal) -> contract.StaffList:
        return await self._call(contract.StaffList, "GET", "/internal/catalog/staff", principal)

    async def products(self, principal: Principal) -> contract.ProductList:
        return await self._call(contract.ProductList, "GET", "/internal/catalog/products", principal)

    async def availability(self, principal: Principal, query: dict[str, str]) -> contract.Availability:
        return await self._call(contract.Availability, "GET", "/internal/availability", principal, params=query)

    async def availability_month(self, principal: Principal, query: dict[str, str]) -> contract.AvailabilityMonth:
        return await self._call(
            contract.AvailabilityMonth, "GET", "/internal/availability/month", principal, params=query
        )

    # --- Booking and the client's bookings ----------------------------------------------

    async def book(
        self, principal: Principal, request: contract.BookingRequest, idempotency_key: str
    ) -> contract.BookingCreated:
        return await self._call(
            contract.BookingCreated, "POST", "/internal/bookings", principal,
            body=request, headers={IDEMPOTENCY_HEADER: idempotency_key},
        )  # fmt: skip

    async def my_bookings(self, principal: Principal, when: str) -> contract.BookingList:
        return await self._call(contract.BookingList, "GET", "/internal/me/bookings", principal, params={"when": when})

    async def my_booking(self, principal: Principal, booking_id: uuid.UUID) -> contract.BookingAnswer:
        path = internal_path(MY_BOOKING, booking_id=booking_id)
        return await self._call(contract.BookingAnswer, "GET", path, principal)

    async def my_policy(self, principal: Principal, booking_id: uuid.UUID) -> contract.Policy:
        path = internal_path(MY_BOOKING + "/policy", booking_id=booking_id)
        return await self._call(contract.Policy, "GET", path, principal)

    async def my_reschedule_preview(
        self, principal: Principal, booking_id: uuid.UUID, move: contract.RescheduleRequest
    ) -> contract.ReschedulePreview:
        path = internal_path(MY_BOOKING + "/reschedule-preview", booking_id=booking_id)
        return await self._call(contract.ReschedulePreview, "GET", path, principal, params=_move_params(move))

    async def my_booking_calendar(self, principal: Principal, booking_id: uuid.UUID) -> contract.CalendarFile:
        path = internal_path(MY_BOOKING + "/calendar.ics", booking_id=booking_id)
        return await self._call(contract.CalendarFile, "GET", path, principal)

    async def act(
        self, principal: Principal, booking_id: uuid.UUID, action: contract.BookingAction, body: BaseModel | None
    ) -> contract.BookingAnswer:
        path = internal_path(MY_BOOKING + "/{action}", booking_id=booking_id, action=action)
        return await self._call(contract.BookingAnswer, "POST", path, principal, body=body)

    async def my_history(self, principal: Principal) -> contract.History:
        return await self._call(contract.History, "GET", "/internal/me/history", principal)

    async def my_prefill(self, principal: Principal) -> contract.Prefill:
        return await self._call(contract.Prefill, "GET", "/internal/me/prefill", principal)

    async def my_calendar_feed(self, principal: Principal, *, rotate: bool = False) -> contract.CalendarFeed:
        if rotate:
            return await self._call(contract.CalendarFeed, "POST", "/internal/me/calendar-feed/rotate", principal)
        return await self._call(contract.CalendarFeed, "GET", "/internal/me/calendar-feed", principal)

    async def calendar_feed(self, token: str) -> contract.CalendarFile:
        """The feed's secret token is the credential: no principal."""
        path = internal_path("/internal/calendar-feeds/{token}.ics", token=token)
        return await self._call(contract.CalendarFile, "GET", path, Principal())

    # --- Guests, through the signed token of their manage link ---------------------------

    async def managed_booking(self, principal: Principal, token: str) -> contract.BookingAnswer:
        return await self._call(contract.BookingAnswer, "GET", "/internal/manage", principal, params={"token": token})

    async def managed_reschedule_preview(
        self, principal: Principal, token: str, move: contract.RescheduleRequest
    ) -> contract.ReschedulePreview:
        params = {"token": token, **_move_params(move)}
        return await self._call(
            contract.ReschedulePreview, "GET", "/internal/manage/reschedule-preview", principal, params=params
        )

    async def managed_calendar(self, principal: Principal, token: str) -> contract.CalendarFile:
        params = {"token": token}
        return await self._call(contract.CalendarFile, "GET", "/internal/manage/calendar.ics", principal, params=params)

    async def act_as_guest(
        self, principal: Principal, token: str, action: contract.BookingAction, body: BaseModel | None
    ) -> contract.BookingAnswer:
        path = internal_path("/internal/manage/{action}", action=action)
        headers = {MANAGE_HEADER: token}
        return await self._call(contract.BookingAnswer, "POST", path, principal, body=body, headers=headers)

    # --- The business's API: its answers pass through as the service gives them --------

    async def admin(
        self, model: type[M], business: BusinessSnapshot, method: str, path: str, *, body: Json | None = None,
        params: dict[str, str] | None = None,
    ) -> M:  # fmt: skip
        """``path`` is built by the caller with ``internal_path`` under ``/internal/admin``; ``model``
        is the answer's (the service validates the request and builds the answer)."""
        return await self._call(model, method, path, business_principal(business), body=body, params=params)
