"""One email normalisation: identity (accounts) and appointments (bookings, client records)
compare addresses, and a guest booking joins an account only if both agree (R-A6)."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field


def normalize_email(value: str) -> str:
    """Lower-cased, checked for syntax only (no DNS: the verification email is the proof)."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError("not a valid email address") from exc
    return checked.normalized.lower()


Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(normalize_email)]
