"""The card-number detector the gateway refuses requests with and the log scan looks for:
cards as people write them, and the numbers that only look like one."""

from __future__ import annotations

from typing import Any

import pytest

from regulars.shared.card_numbers import card_number_path, card_numbers_in

VISA = "4242424242424242"


@pytest.mark.parametrize(
    "text",
    [
        VISA,
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        "my card is 4000 0566 5566 5556, expires 12/30",
        "378282246310005",  # Amex, 15 digits
        "3782 822463 10005",
        "3056 930902 5904",  # Diners, 14 digits
        "1000000000009",  # 13 digits
        "6011 0009 9013 9424 124",  # 19 digits
    ],
)
def test_a_card_number_as_people_write_it_is_found(text: str) -> None:
    assert len(card_numbers_in(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424241",  # fails the Luhn check
        "4242 4242 4242 4241",
        "+491711234567897",  # a phone number (E.164) that passes the Luhn check
        "612 345 678 901 231",  # one spaced in threes, passing it too
        "424242424242",  # 12 digits
        "42424242424242420000",  # 20 digits: an order number, not a card
        "ORD4242424242424242",  # inside a token
        "4242-4242 4242-4242",  # mixed separators are not how a card is written
        "718758408883433da1abe3fe38f2c4d2",  # a correlation id whose first 15 digits pass the Luhn check
        '{"timestamp": "2026-03-27T10:00:00.123456Z", "id": "12345678-1234-1234-1234-123456789012"}',
        "Order 2026-1204-0001, booking 1000000000008",
    ],
)
def test_what_only_looks_like_a_card_number_is_not_one(text: str) -> None:
    assert card_numbers_in(text) == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"card": {"number": VISA}}, ("card", "number")),
        ({"notes": f"pay with {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}"}, ("notes",)),
        ({"items": [{"qty": 1}, {"ref": int(VISA)}]}, ("items", 1, "ref")),
        ({"amount": 4.242424242424242e15}, ("amount",)),  # a JSON number written with an exponent
        ({"first": "Ana", VISA: True}, ("<key 1>",)),  # a key is named by its place, not by itself
        ([VISA], (0,)),
    ],
)
def test_the_first_card_number_in_a_body_is_located_without_being_repeated(body: Any, path: tuple[Any, ...]) -> None:
    assert card_number_path(body) == path


def test_ordinary_bodies_hold_no_card_number() -> None:
    body = {
        "phone": "+491711234567897",
        "amount_minor": 4200,
        "order_id": 1000000000008,
        "at": "2026-12-04T10:00:00+01:00",
        "ids": ["12345678-1234-1234-1234-123456789012"],
        "accepted": True,
        "ratio": 0.4242424242424242,
    }
    assert card_number_path(body) is None
