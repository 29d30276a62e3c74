"""Card numbers where none belong: in a request we would accept, or in a log.

Card numbers go to the payment provider's own card form, never to us (WALLET.md, PCI DSS SAQ A).
A card number here is a number of 13 to 19 digits that passes the Luhn check, written as people
write one: the digits alone, or in groups of four (Amex and Diners: 4-6-5, 4-6-4) split by
spaces or by dashes; as a JSON number, a string, or inside a string (a note). What is not one:
a run of digits inside a longer token (a hex id, an order number with letters, 20 digits or
more), a phone number in international form (``+`` then digits), or digits in groups of other
sizes (phone numbers as people space them), and of course any number that fails the Luhn check.
"""

from __future__ import annotations

import re
from typing import Any

_CARD_SHAPE = re.compile(
    r"(?<![\w+])"  # not inside a token, not a phone number in international form
    r"(?:\d{13,19}"
    r"|\d{4}(?P<s>[ -])\d{4}(?:(?P=s)\d{4}){1,2}(?:(?P=s)\d{1,3})?"  # 4-4-4(-4)(-1..3)
    r"|\d{4}(?P<t>[ -])\d{6}(?P=t)\d{4,5})"  # Amex 4-6-5, Diners 4-6-4
    r"(?!\w)"
)

Path = tuple[str | int, ...]


def passes_luhn(digits: str) -> bool:
    """The Luhn check every card number passes (and one in ten random numbers)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def card_numbers_in(text: str) -> list[str]:
    """The digits of every card number written in ``text``."""
    found = (re.sub(r"[ -]", "", match.group()) for match in _CARD_SHAPE.finditer(text))
    return [digits for digits in found if 13 <= len(digits) <= 19 and passes_luhn(digits)]


def _is_card(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return bool(card_numbers_in(str(abs(value))))
    return isinstance(value, str) and bool(card_numbers_in(value))


def card_number_path(data: Any) -> Path | None:
    """Where the first card number in decoded JSON is (a key, a string or a number), or None.
    A key holding one is named by its position among its object's keys, never by itself."""
    stack: list[tuple[Any, Path]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if _is_card(value):
            return path
        if isinstance(value, dict):
            for position, key in enumerate(value):
                if _is_card(key):
                    return (*path, f"<key {position}>")
            stack.extend((child, (*path, key)) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((child, (*path, index)) for index, child in reversed(list(enumerate(value))))
    return None
