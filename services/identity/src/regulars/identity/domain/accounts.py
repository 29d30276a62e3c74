"""Client accounts: what a valid email, password, phone, birthday, address and locale are."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib.resources import files
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from regulars.shared import clock
from regulars.shared.contracts.dates import CalendarDate
from regulars.shared.emails import Email
from regulars.shared.locale import Locale
from regulars.shared.phones import Phone

PASSWORD_MIN = 8
PASSWORD_MAX = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (see scripts/make_common_passwords.py)."""
    text = files("regulars.identity.domain").joinpath("common_passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None. Length and commonness only: no composition rules."""
    if len(password) < PASSWORD_MIN:
        return f"use at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"use at most {PASSWORD_MAX} characters"
    if password.lower() in common_passwords():
        return "this password is among the most common ones; choose another"
    return None


def _new_password(value: str) -> str:
    problem = password_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _past_birthday(value: date) -> date:
    if value >= clock.now().date():
        raise ValueError("a birthday is a date in the past")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


NewPassword = Annotated[str, AfterValidator(_new_password)]
AnyPassword = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX)]
Birthday = Annotated[CalendarDate, AfterValidator(_past_birthday)]
"""A client's or a pet's birthday: a day in the past, from 1900 (``CalendarDate``'s bounds)."""
Name = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=100)]
ShortText = Annotated[str, BeforeValidator(_strip), Field(max_length=200)]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: ShortText = ""
    line2: ShortText = ""
    city: ShortText = ""
    region: ShortText = ""
    postal_code: Annotated[str, BeforeValidator(_strip), Field(max_length=20)] = ""
    country: Annotated[str, Field(pattern=r"^([A-Z]{2})?$")] = ""


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: NewPassword
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    birthday: Birthday | None = None
    locale: Locale | None = None
    marketing_opt_in: bool = False


class ProfileChanges(BaseModel):
    """PATCH /me: only the fields sent change; ``null`` clears phone, birthday or address."""

    model_config = ConfigDict(extra="forbid")

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    birthday: Birthday | None = None
    address: Address | None = None
    locale: Locale | None = None
    marketing_opt_in: bool | None = None


NOT_NULLABLE = ("first_name", "last_name", "locale", "marketing_opt_in")
