"""The languages Regulars speaks, and how one is chosen for a person."""

from __future__ import annotations

from typing import Literal, get_args

Locale = Literal["en", "es", "it", "pt"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
DEFAULT_LOCALE: Locale = "en"


def negotiate_locale(*candidates: str | None) -> Locale:
    """The first candidate we speak (``es-MX`` counts as ``es``), else English.

    Callers pass the client's choice before the business's default."""
    for candidate in candidates:
        if candidate:
            language = candidate[:2].lower()
            for locale in LOCALES:
                if locale == language:
                    return locale
    return DEFAULT_LOCALE
