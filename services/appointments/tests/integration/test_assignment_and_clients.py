"""Assignment of bookings to accounts (R-A6..R-A9), client records (R-I8, R-T5), history (R-A10).

Identity's events go through the real consumer and its inbox.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.appointments.adapters.tables import client_records
from regulars.appointments.entrypoints.messaging import client_accounts_consumer
from regulars.shared.contracts.events import Event
from regulars.shared.contracts.identity import (
    ClientDeleted,
    ClientEmailVerified,
    ClientProfileUpdated,
    ClientRegistered,
)
from regulars.shared.http.internal import Principal
from regulars.shared.testing.inprocess import Api

from .conftest import Shop, book, make_shop, tomorrow_at

pytestmark = [pytest.mark.integration, pytest.mark.clock]


async def deliver(engines: dict[str, AsyncEngine], event: Event) -> bool:
    consumer = client_accounts_consumer()
    return await consumer.handle(engines["appointments"], event.routing_key, event.model_dump_json().encode())


async def register(engines: dict[str, AsyncEngine], shop: Shop, email: str, *, verify: bool) -> uuid.UUID:
    account_id = uuid.uuid4()
    common = {"org_id": shop.business.org_id, "business_id": shop.business.business_id, "account_id": account_id}
    await deliver(engines, ClientRegistered(**common, email=email, first_name="Ada", last_name="A", locale="en"))
    if verify:
        await deliver(engines, ClientEmailVerified(**common, email=email, first_name="Ada", last_name="A"))
    return account_id


async def my_ids(api: Api, principal: Principal, when: str = "upcoming") -> list[str]:
    status, body = await api.call("GET", "/internal/me/bookings", principal, params={"when": when})
    assert status == 200, body
    return [b["id"] for b in body["bookings"]]


def email() -> str:
    return f"client-{uuid.uuid4().hex[:8]}@example.com"


async def staff_book(api: Api, shop: Shop, address: str, hour: int) -> dict[str, Any]:
    status, body = await api.call(
        "POST", "/internal/admin/bookings", shop.admin,
        json={
            "service_id": shop.service_id, "start": tomorrow_at(hour, api.clock).isoformat(),
            "client": {"first_name": "Sam", "email": address, "phone": "+34 611 111 111"},
        },
    )  # fmt: skip
    assert status == 201, body
    return dict(body["booking"])


async def test_r_a6_booked_while_signed_in_is_assigned(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    account = await register(engines, shop, email(), verify=True)
    status, body = await book(api, shop, shop.client(account), tomorrow_at(10, api.clock))
    assert status == 201
    assert "account_offer" not in body
    assert await my_ids(api, shop.client(account)) == [body["booking"]["id"]]


async def test_r_a6_guest_booking_claimed_once_email_verified(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    _, made = await book(api, shop, shop.guest, tomorrow_at(10, api.clock), email=address.upper())
    account = uuid.uuid4()
    common = {"org_id": shop.business.org_id, "business_id": shop.business.business_id, "account_id": account}
    await deliver(engines, ClientRegistered(**common, email=address, first_name="A", last_name="B", locale="en"))
    assert await my_ids(api, shop.client(account)) == []  # not before the email is verified
    verified = ClientEmailVerified(**common, email=address, first_name="A", last_name="B")
    assert await deliver(engines, verified) is True
    assert await my_ids(api, shop.client(account)) == [made["booking"]["id"]]
    assert await deliver(engines, verified) is False  # a redelivery changes nothing
    _, listed = await api.call("GET", "/internal/admin/bookings", shop.admin)
    assert listed["bookings"][0]["assigned_how"] == "claimed_on_verification"


async def test_r_a7_guest_booking_not_assigned_when_account_existed(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=False)
    await book(api, shop, shop.guest, tomorrow_at(10, api.clock), email=address)
    common = {"org_id": shop.business.org_id, "business_id": shop.business.business_id, "account_id": account}
    await deliver(engines, ClientEmailVerified(**common, email=address, first_name="A", last_name="B"))
    assert await my_ids(api, shop.client(account)) == []
    _, listed = await api.call("GET", "/internal/admin/bookings", shop.admin)
    assert listed["bookings"][0]["assigned"] is False


async def test_r_a6_staff_booking_assigned_to_the_email_account(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=True)
    booking = await staff_book(api, shop, address, 11)
    assert booking["assigned"] is True
    assert booking["assigned_how"] == "staff_booked"
    assert await my_ids(api, shop.client(account)) == [booking["id"]]


async def test_r_a6_staff_booking_before_account_is_claimed_on_verification(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    address = email()
    booking = await staff_book(api, shop, address, 11)
    assert booking["assigned"] is False
    account = await register(engines, shop, address, verify=True)
    assert await my_ids(api, shop.client(account)) == [booking["id"]]


async def test_r_a7_staff_booking_not_assigned_when_email_on_two_accounts(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    shop = await make_shop(api, engines)
    address = email()
    first = await register(engines, shop, address, verify=True)
    second = await register(engines, shop, f"other-{address}", verify=True)
    await book(api, shop, shop.client(first), tomorrow_at(10, api.clock), email=address)
    await book(api, shop, shop.client(second), tomorrow_at(12, api.clock), email=address)
    booking = await staff_book(api, shop, address, 15)
    assert booking["assigned"] is False
    assert booking["id"] not in await my_ids(api, shop.client(first))
    assert booking["id"] not in await my_ids(api, shop.client(second))


async def test_r_a8_assign_one_then_all_of_a_client(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=True)
    # Guest bookings made while the account existed: never assigned automatically (R-A7).
    ids = [(await book(api, shop, shop.guest, tomorrow_at(h, api.clock), email=address))[1]["booking"]["id"]
           for h in (9, 11, 13)]  # fmt: skip
    _, clients = await api.call("GET", "/internal/admin/clients", shop.admin)
    record = next(c for c in clients["clients"] if c["email"] == address)
    assert record["can_assign_all"] is False
    status, body = await api.call("POST", f"/internal/admin/clients/{record['id']}/assign-all", shop.admin)
    assert (status, body["error"]["code"]) == (409, "bulk_assign_not_allowed")

    status, body = await api.call(
        "POST", f"/internal/admin/bookings/{ids[0]}/assign", shop.admin, json={"account_id": str(account)}
    )
    assert status == 200, body
    assert body["booking"]["assigned"] is True
    assert await my_ids(api, shop.client(account)) == ids[:1]
    _, clients = await api.call("GET", "/internal/admin/clients", shop.admin)
    record = next(c for c in clients["clients"] if c["email"] == address)
    assert record["can_assign_all"] is True
    status, body = await api.call("POST", f"/internal/admin/clients/{record['id']}/assign-all", shop.admin)
    assert status == 200, body
    assert sorted(body["assigned"]) == sorted(ids[1:])
    assert await my_ids(api, shop.client(account)) == ids
    status, body = await api.call(
        "POST", f"/internal/admin/bookings/{ids[0]}/assign", shop.admin, json={"account_id": str(uuid.uuid4())}
    )
    assert (status, body["error"]["code"]) == (422, "unknown_account")


async def test_r_a9_clients_see_only_bookings_assigned_to_them(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=True)
    _, guest_made = await book(api, shop, shop.guest, tomorrow_at(10, api.clock), email=address)
    _, own = await book(api, shop, shop.client(account), tomorrow_at(12, api.clock), email=address)
    assert await my_ids(api, shop.client(account)) == [own["booking"]["id"]]
    stranger = shop.client(uuid.uuid4())
    status, body = await api.call("GET", f"/internal/me/bookings/{own['booking']['id']}", stranger)
    assert (status, body["error"]["code"]) == (404, "booking_not_found")
    status, _ = await api.call("GET", f"/internal/me/bookings/{guest_made['booking']['id']}", shop.client(account))
    assert status == 404


async def test_r_a4_deleted_booking_disappears_for_the_client(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    account = await register(engines, shop, email(), verify=True)
    _, made = await book(api, shop, shop.client(account), tomorrow_at(10, api.clock))
    booking_id = made["booking"]["id"]
    status, _ = await api.call("DELETE", f"/internal/admin/bookings/{booking_id}", shop.admin)
    assert status == 204
    assert await my_ids(api, shop.client(account)) == []
    assert await my_ids(api, shop.client(account), "past") == []
    status, _ = await api.call("GET", f"/internal/me/bookings/{booking_id}", shop.client(account))
    assert status == 404
    # The slot is free again.
    status, _ = await book(api, shop, shop.guest, tomorrow_at(10, api.clock), staff_id=made["booking"]["staff"]["id"])
    assert status == 201


async def test_global_database_lists_bookings_of_every_location_labelled(
    api: Api, engines: dict[str, AsyncEngine]
) -> None:
    downtown = await make_shop(api, engines)
    uptown = await make_shop(api, engines, org_id=downtown.business.org_id)
    other_org = await make_shop(api, engines)
    address = email()
    account = await register(engines, downtown, address, verify=True)  # organization-wide account
    await book(api, downtown, downtown.client(account), tomorrow_at(10, api.clock))
    await book(api, uptown, uptown.client(account), tomorrow_at(12, api.clock))
    status, body = await api.call("GET", "/internal/me/bookings", uptown.client(account))
    assert status == 200
    assert [b["business"]["name"] for b in body["bookings"]] == [downtown.business.name, uptown.business.name]
    # The same account id presented for another organization sees nothing.
    status, body = await api.call("GET", "/internal/me/bookings", other_org.client(account))
    assert body["bookings"] == []


async def test_r_i8_profile_update_changes_contact_never_name(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=True)
    await book(api, shop, shop.client(account), tomorrow_at(10, api.clock), email=address)
    new_address = email()
    await deliver(
        engines,
        ClientProfileUpdated(
            org_id=shop.business.org_id, business_id=shop.business.business_id, account_id=account,
            changed=["first_name", "phone", "email", "birthday"], email=new_address, phone="+34 699 999 999",
            birthday="1990-04-01", first_name="Renamed", last_name="Person", locale="en",
        ),
    )  # fmt: skip
    async with engines["appointments"].connect() as conn:
        record = (await conn.execute(sa.select(client_records).where(client_records.c.account_id == account))).one()
    assert (record.email, record.phone, record.birthday) == (new_address, "+34 699 999 999", date(1990, 4, 1))
    assert record.first_name == "Gina"  # the business's record keeps its name (R-I8)


async def test_r_t5_deleted_account_is_anonymised(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    address = email()
    account = await register(engines, shop, address, verify=True)
    _, made = await book(api, shop, shop.client(account), tomorrow_at(10, api.clock), email=address)
    await deliver(
        engines,
        ClientDeleted(org_id=shop.business.org_id, business_id=shop.business.business_id, account_id=account),
    )
    status, body = await api.call("GET", f"/internal/admin/bookings/{made['booking']['id']}", shop.admin)
    assert status == 200
    assert body["booking"]["client"]["email"] is None
    assert body["booking"]["client"]["first_name"] == "Deleted client"
    assert body["booking"]["assigned"] is False
    assert await my_ids(api, shop.client(account)) == []


async def test_r_a10_history_lists_completed_services(api: Api, engines: dict[str, AsyncEngine]) -> None:
    shop = await make_shop(api, engines)
    account = await register(engines, shop, email(), verify=True)
    _, made = await book(api, shop, shop.client(account), tomorrow_at(10, api.clock))
    booking_id = made["booking"]["id"]
    status, body = await api.call("POST", f"/internal/admin/bookings/{booking_id}/complete", shop.admin)
    assert (status, body["error"]["code"]) == (409, "booking_not_started")
    api.clock.now += timedelta(days=2)
    status, body = await api.call("POST", f"/internal/admin/bookings/{booking_id}/complete", shop.admin)
    assert status == 200, body
    status, body = await api.call("GET", "/internal/me/history", shop.client(account))
    assert status == 200
    [item] = body["history"]
    assert item["what"] == "Haircut"
    assert item["provider"] in ("Ana", "Bea")
    assert item["location"]["name"] == shop.business.name
    assert item["date"] == made["booking"]["starts_at"]
    assert await my_ids(api, shop.client(account), "past") == [booking_id]
