"""The helpers every service shares: one locale negotiation, one widget link, one token
hash, one email normalisation (identity and appointments must agree for R-A6), one phone rule."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import BaseModel, ValidationError

from regulars.shared.contracts.appointments import ClientDetails
from regulars.shared.emails import Email, normalize_email
from regulars.shared.links import widget_link
from regulars.shared.locale import DEFAULT_LOCALE, LOCALES, negotiate_locale
from regulars.shared.phones import normalize_phone
from regulars.shared.tokens import token_digest

ADDRESSES = ["Ana@Example.COM", "  ana@example.com ", "ANA.Pérez@Exámple.com", "o'brien+tag@sub.example.org"]


def test_locales_and_negotiation() -> None:
    assert LOCALES == ("en", "es", "it", "pt")
    assert DEFAULT_LOCALE == "en"
    assert negotiate_locale("pt", "it") == "pt"
    assert negotiate_locale(None, "it") == "it"
    assert negotiate_locale("", "ES") == "es"
    assert negotiate_locale("es-MX") == "es"
    assert negotiate_locale("de", None) == "en"
    assert negotiate_locale() == "en"


def test_widget_links_are_spelled_once() -> None:
    assert widget_link("https://r.test/", "salon", "manage", token="rgt_a-b_c") == (
        "https://r.test/w/salon/manage?token=rgt_a-b_c"
    )
    assert widget_link("https://r.test", "salon", "account/bookings") == "https://r.test/w/salon/account/bookings"
    assert widget_link("https://r.test", "salon") == "https://r.test/w/salon/"
    # A value that is not URL-safe is encoded, so it can never add a parameter.
    assert widget_link("https://r.test", "s", "verify", token="a&b=c") == "https://r.test/w/s/verify?token=a%26b%3Dc"


def test_token_digest_is_sha256_of_the_secret() -> None:
    assert token_digest("rgs_secret") == hashlib.sha256(b"rgs_secret").digest()
    assert len(token_digest("x")) == 32
    assert token_digest("a") != token_digest("b")


@pytest.mark.parametrize("address", ADDRESSES)
def test_identity_and_appointments_normalise_emails_alike(address: str) -> None:
    """An account's email as identity stores it and a guest booking's email as appointments
    stores it are the same value, so the booking joins the account (R-A6)."""
    from regulars.appointments.service_layer import clients as appointments_clients
    from regulars.identity.domain.accounts import Registration

    account = Registration.model_validate(
        {"email": address, "password": "correct horse battery staple", "first_name": "Ana", "last_name": "R"}
    )
    guest = ClientDetails(first_name="Ana", email=address.strip(), phone="+34600000000")
    # Appointments compares and stores booking emails with the one function.
    assert vars(appointments_clients)["normalize_email"] is normalize_email
    assert guest.email == normalize_email(guest.email) == account.email  # the booking contract normalises too
    assert account.email == normalize_email(address) == account.email.lower() == normalize_email(account.email)
    assert account.email == account.email.strip()


def test_email_normalisation_lowercases_and_refuses_non_addresses() -> None:
    assert normalize_email(" Ana@Example.COM ") == "ana@example.com"
    for bad in ["", "ana", "ana@", "a b@example.com"]:
        with pytest.raises(ValueError, match="not a valid email address"):
            normalize_email(bad)

    class Request(BaseModel):
        email: Email

    with pytest.raises(ValidationError):
        Request(email="x" * 250 + "@e.com")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+34 600 12 34 56", "+34600123456"),
        ("+1 (212) 555-0142", "+12125550142"),
        ("+39 06 6988 0000", "+390669880000"),
        ("tel:+34600123456", "+34600123456"),
    ],
)
def test_phones_are_stored_in_e164(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["600123456", "+34 12", "call me", "+999 123456789", "12ab"])
def test_phones_without_country_code_or_invalid_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="phone number; include the country code"):
        normalize_phone(typed)


@pytest.mark.parametrize("typed", ["+34 600 12 34 56", "600 12 34 56", "12ab", "+999 123456789"])
def test_the_account_form_and_the_booking_form_apply_one_phone_rule(typed: str) -> None:
    """A phone an account takes, a booking takes, stored alike; one refused is refused by both,
    for the same reason."""
    from regulars.identity.domain.accounts import Registration

    def outcome(model: type[BaseModel], data: dict[str, str]) -> str:
        try:
            return str(model.model_validate(data).model_dump()["phone"])
        except ValidationError as exc:
            [error] = exc.errors()
            return f"{error['loc'][-1]}: {error['msg']}"

    account = outcome(
        Registration,
        {"email": "ana@example.com", "password": "correct horse battery staple", "first_name": "Ana",
         "last_name": "R", "phone": typed},
    )  # fmt: skip
    booking = outcome(ClientDetails, {"first_name": "Ana", "email": "ana@example.com", "phone": typed})
    assert account == booking
