"""One phone rule: identity (an account's phone) and appointments (a booking's phone) take
the same numbers and store them alike, so a booking and its account agree on the client's phone.

The number carries its country code (+34 600 000 000): a business's clients may call from
anywhere, and a number without one is ambiguous. Stored as E.164 (+34600000000)."""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, Field

EXAMPLE = "+34 600 000 000"


def normalize_phone(value: str) -> str:
    """E.164 (+34600000000); the number must carry its country code."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number; include the country code, e.g. {EXAMPLE}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number; include the country code, e.g. {EXAMPLE}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[
    str,
    Field(max_length=40, description=f"With its country code, e.g. {EXAMPLE}; answered as E.164"),
    AfterValidator(normalize_phone),
]
