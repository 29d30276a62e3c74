"""embed_origins: only origins reach the widget's frame-ancestors (issue 8)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from regulars.shared.contracts.identity import BusinessSettings


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://Shop.Example.com", "https://shop.example.com"),
        ("https://shop.example.com:443/", "https://shop.example.com"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost", "http://localhost"),
    ],
)
def test_an_origin_is_kept_normalized(given: str, kept: str) -> None:
    assert BusinessSettings(embed_origins=[given]).embed_origins == [kept]


@pytest.mark.parametrize(
    "given",
    [
        "http://shop.example.com",
        "https://*.example.com",
        "https://shop.example.com/book",
        "https://shop.example.com; script-src *",
        "https://shop .example.com",
        "https://user@shop.example.com",
        "https://shop.example.com?x",
        "https://shop.example.com#",
        "https://shop.example.com:99999",
        "'self'",
        "*",
        "javascript:alert(1)",
    ],
)
def test_anything_but_an_https_origin_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        BusinessSettings(embed_origins=[given])


def test_none_by_default_and_at_most_twenty() -> None:
    assert BusinessSettings().embed_origins == []
    with pytest.raises(ValidationError):
        BusinessSettings(embed_origins=[f"https://s{n}.example.com" for n in range(21)])
