"""Pure rules of client accounts: passwords, emails, birthdays, secrets, rate-limit windows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from regulars.identity.domain import limits, tokens
from regulars.identity.domain.accounts import (
    Registration,
    common_passwords,
    password_problem,
)
from regulars.shared import clock
from regulars.shared.emails import normalize_email
from regulars.shared.ratelimit import bucket_key, window_start


def test_the_common_password_list_has_ten_thousand_entries() -> None:
    listed = common_passwords()
    assert len(listed) == 10_000
    assert {"123456", "password", "qwerty", "iloveyou", "sunshine"} <= listed


@pytest.mark.parametrize("password", ["password", "PASSWORD", "12345678", "iloveyou", "Sunshine", "football"])
def test_common_passwords_are_refused_whatever_the_case(password: str) -> None:
    assert password_problem(password) is not None


def test_length_bounds_are_8_to_128() -> None:
    assert password_problem("x7$Qp2!a") is None
    assert password_problem("x7$Qp2!") == "use at least 8 characters"
    assert password_problem("zq" * 64) is None
    assert password_problem("zq" * 64 + "z") == "use at most 128 characters"


@given(st.text(min_size=8, max_size=128).filter(lambda p: p.lower() not in common_passwords()))
def test_any_uncommon_password_of_8_to_128_characters_is_accepted(password: str) -> None:
    # No composition rules: spaces, emoji, one repeated letter, all allowed.
    assert password_problem(password) is None


def test_registration_refuses_a_common_password_in_the_password_field() -> None:
    with pytest.raises(ValidationError) as refused:
        Registration(email="a@example.com", password="password123", first_name="A", last_name="B")
    assert refused.value.errors()[0]["loc"] == ("password",)


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalize_email("  Ana.Ruiz@Example.COM ") == "ana.ruiz@example.com"
    for bad in ("ana", "ana@", "@example.com", "ana@@example.com"):
        with pytest.raises(ValueError, match="email"):
            normalize_email(bad)


def test_birthday_must_be_in_the_past() -> None:
    base = {"email": "a@example.com", "password": "a long passphrase", "first_name": "A", "last_name": "B"}
    assert Registration(**base, birthday=date(1990, 1, 1)).birthday == date(1990, 1, 1)
    with pytest.raises(ValidationError):
        Registration(**base, birthday=clock.now().date() + timedelta(days=1))


def test_secrets_carry_at_least_128_random_bits_and_only_their_digest_is_kept() -> None:
    secret = tokens.new_secret(tokens.SESSION_PREFIX)
    body = secret.removeprefix(tokens.SESSION_PREFIX)
    assert len(body) * 6 >= 256  # token_urlsafe(32): 43 base64 characters
    assert len({tokens.new_secret("") for _ in range(1000)}) == 1000
    assert tokens.digest(secret) != secret.encode()
    assert len(tokens.digest(secret)) == 32
    assert re.fullmatch(r"[0-9]{6}", tokens.new_code())


def test_token_lifetimes() -> None:
    assert tokens.LIFETIMES["password_reset"] == timedelta(hours=1)
    assert tokens.LIFETIMES["verify_email"] == timedelta(hours=48)


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_rate_limit_windows_contain_the_moment_and_are_aligned(moment: datetime) -> None:
    for limit in (limits.LOGIN_PER_IP, limits.REGISTER_PER_IP):
        start = window_start(moment, limit)
        assert start <= moment < start + limit.window
        assert window_start(start, limit) == start


def test_bucket_keys_do_not_hold_emails_or_addresses() -> None:
    key = bucket_key("10.0.0.1", "ana@example.com")
    assert "ana" not in key
    assert "10.0" not in key
    assert key == bucket_key("10.0.0.1", "ana@example.com")
