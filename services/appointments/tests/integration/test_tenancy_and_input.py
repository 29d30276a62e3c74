"""Every read and write is scoped by business and account (R-T4); intake answers and pets are checked."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.phones import normalize_phone
from regulars.shared.testing.inprocess import Api

from .conftest import book, guest_details, make_shop, tomorrow_at

pytestmark = pytest.mark.integration


async def test_r_t4_another_business_cannot_see_or_change_a_booking(api: Api, engines: dict[str, AsyncEngine]) -> None:
    mine = await make_shop(api, engines)
    other = await make_shop(api, engines)
    account = uuid.uuid4()
    _, made = await book(api, mine, mine.client(account), tomorrow_at(10, api.clock, days=3))
    booking_id = made["booking"]["id"]
    for method, path in (
        ("GET", f"/internal/admin/bookings/{booking_id}"),
        ("POST", f"/internal/admin/bookings/{booking_id}/cancel"),
        ("DELETE", f"/internal/admin/bookings/{booking_id}"),
    ):
        status, body = await api.call(method, path, other.admin, json={} if method == "POST" else None)
        assert (status, body["error"]["code"]) == (404, "booking_not_found"), (method, path)
    # The same account id presented through another organization's business sees nothing.
    status, _ = await api.call("GET", f"/internal/me/bookings/{booking_id}", other.client(account))
    assert status == 404
    status, body = await api.call("POST", f"/internal/me/bookings/{booking_id}/cancel", other.client(account), json={})
    assert (status, body["error"]["code"]) == (404, "booking_not_found")
    # Another business's service or staff cannot be used here.
    status, body = await book(api, other, other.guest, tomorrow_at(10, api.clock, days=3), staff_id=mine.staff_ids[0])
    assert (status, body["error"]["code"]) == (422, "staff_does_not_perform_service")
    status, body = await api.call(
        "POST", "/internal/admin/services", other.admin,
        json={"name": "X", "duration_minutes": 30, "price_minor": 100, "currency": "EUR", "staff_ids": mine.staff_ids},
    )  # fmt: skip
    assert (status, body["error"]["code"]) == (422, "unknown_staff")
    status, body = await api.call(
        "GET", "/internal/availability", other.guest,
        params={"service_id": mine.service_id, "from": "2026-12-01", "to": "2026-12-01"},
    )  # fmt: skip
    assert (status, body["error"]["code"]) == (404, "service_not_found")
    # A principal for a business unknown here.
    stranger = mine.admin.__class__(uuid.uuid4(), uuid.uuid4())
    status, body = await api.call("GET", "/internal/catalog/services", stranger)
    assert (status, body["error"]["code"]) == (404, "business_not_found")


async def test_r_i10_intake_answers_checked_and_prefilled(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    status, service = await api.call(
        "POST", "/internal/admin/services", shop.admin,
        json={"name": "Colour", "duration_minutes": 60, "price_minor": 8000, "currency": "EUR",
              "staff_ids": shop.staff_ids,
              "intake_questions": [
                  {"id": "first_time", "label": "First colour?", "kind": "yes_no", "required": True},
                  {"id": "shade", "label": "Shade", "kind": "choice", "choices": ["light", "dark"]},
              ]},
    )  # fmt: skip
    assert status == 201, service
    account = uuid.uuid4()
    body = {
        "service_id": service["service"]["id"], "start": tomorrow_at(10, api.clock, days=2).isoformat(),
        "client": guest_details(), "intake_answers": {"shade": "purple", "unknown": "x"},
    }  # fmt: skip
    status, error = await api.call(
        "POST", "/internal/bookings", shop.client(account), json=body, headers={"Idempotency-Key": "intake-1"}
    )
    assert (status, error["error"]["code"]) == (422, "invalid_intake_answers")
    assert {f["field"] for f in error["error"]["fields"]} == {
        "intake_answers.first_time", "intake_answers.shade", "intake_answers.unknown"
    }  # fmt: skip
    body["intake_answers"] = {"first_time": "yes", "shade": "dark"}
    status, made = await api.call(
        "POST", "/internal/bookings", shop.client(account), json=body, headers={"Idempotency-Key": "intake-2"}
    )
    assert status == 201, made
    status, prefill = await api.call("GET", "/internal/me/prefill", shop.client(account))
    assert prefill == {"intake_answers": {"first_time": "yes", "shade": "dark"}, "phone": "+34600000000"}


async def test_pets_only_at_pet_businesses(api: Api, engines: dict[str, AsyncEngine]) -> None:
    salon = await make_shop(api, engines)
    groomer = await make_shop(api, engines, vertical="pet")
    pet = {"name": "Rex", "breed": "Beagle"}
    for shop, expected in ((salon, 422), (groomer, 201)):
        status, body = await api.call(
            "POST", "/internal/bookings", shop.guest, headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"service_id": shop.service_id, "start": tomorrow_at(10, api.clock, days=2).isoformat(),
                  "client": guest_details(), "pet": pet},
        )  # fmt: skip
        assert status == expected, body
    assert body["booking"]["pet"]["name"] == "Rex"


async def test_a_guest_with_someone_elses_email_cannot_rewrite_their_record(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    account = uuid.uuid4()
    owner = guest_details()
    status, _ = await api.call(
        "POST", "/internal/bookings", shop.client(account), headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"service_id": shop.service_id, "start": tomorrow_at(10, api.clock, days=2).isoformat(),
              "client": owner, "intake_answers": {"allergies": "latex"}},
    )  # fmt: skip
    assert status == 201
    stranger = {**owner, "phone": "+34 699 000 111"}
    status, _ = await api.call(
        "POST", "/internal/bookings", shop.guest, headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"service_id": shop.service_id, "start": tomorrow_at(12, api.clock, days=2).isoformat(),
              "client": stranger, "intake_answers": {"allergies": "none at all"}},
    )  # fmt: skip
    assert status == 201
    status, prefill = await api.call("GET", "/internal/me/prefill", shop.client(account))
    assert prefill == {"intake_answers": {"allergies": "latex"}, "phone": normalize_phone(owner["phone"])}
