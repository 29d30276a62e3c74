"""Branding in the business settings contract: the brand colour and logo that restyle the widget."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from regulars.shared.contracts.identity import Branding, BusinessSettings


@pytest.mark.parametrize("colour", ["#8a3ffc", "#8A3FFC", "#000000", "#ffffff"])
def test_brand_color_accepts_rrggbb_and_stores_it_lower_case(colour: str) -> None:
    assert Branding(brand_color=colour).brand_color == colour.lower()


@pytest.mark.parametrize(
    "colour", ["8a3ffc", "#8a3ff", "#8a3ffc0", "#fff", "#gggggg", "red", "", "#8a3ffc;", "#8a3ffc\n", " #8a3ffc"]
)
def test_brand_color_refuses_anything_but_rrggbb(colour: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Branding(brand_color=colour)
    assert raised.value.errors()[0]["loc"] == ("brand_color",)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "https://cdn.example.com:8443/a/b.svg?v=2",
        "http://localhost:8080/logo.png",
        "http://127.0.0.1/logo.png",
        "http://[::1]:8080/logo.png",
    ],
)
def test_logo_url_accepts_https_and_http_on_localhost(url: str) -> None:
    assert Branding(logo_url=url).logo_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "http://localhost.example.com/logo.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://example.com/logo.png",
        "//example.com/logo.png",
        "/logo.png",
        "https://",
        "https://user:secret@example.com/logo.png",
        "https://exa mple.com/logo.png",
        "https://[::1/logo.png",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_logo_url_refuses_anything_but_https(url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Branding(logo_url=url)
    assert raised.value.errors()[0]["loc"] == ("logo_url",)


def test_branding_defaults_to_none_and_stored_settings_without_it_still_validate() -> None:
    stored = {"client_logins": "required", "sections": {"rewards": True}, "booking_policy": {"online_cancel": False}}
    settings = BusinessSettings.model_validate(stored)
    assert settings.branding == Branding(brand_color=None, logo_url=None)
    assert settings.client_logins == "required"
