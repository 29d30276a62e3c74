"""Every message type renders in all four languages, from one source for subject, text and HTML."""

from __future__ import annotations

import pytest

from regulars.notifications.adapters.templates import (
    LAYOUT_TEXT,
    TEMPLATE_DIR,
    TEMPLATES,
    has_template,
    render,
)
from regulars.shared.locale import LOCALES, negotiate_locale

SAMPLE = {
    "first_name": "Ana <script>",
    "link": "https://example.test/w/salon/verify?token=a&b=1",
    "code": "424242",
    "sign_in_link": "https://example.test/w/salon/sign-in",
    "reset_link": "https://example.test/w/salon/reset-password",
    "new_email": "new@example.com",
    "service_name": "Corte & Color",
    "starts_at": "2026-11-25T09:00:00+00:00",
    "amount": "1234.5",
    "currency": "EUR",
    "paid_at": "2026-11-23T18:30:00+00:00",
    "description": "Pack",
    "title": "Winter offer",
    "text": "Two for one <b>this week</b>.",
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", sorted(TEMPLATES))
def test_r_u4_every_template_exists_and_renders_in_every_language(message_type: str, locale: str) -> None:
    assert has_template(message_type, locale), f"{message_type} is missing in {locale}"
    variables = {name: SAMPLE[name] for name in TEMPLATES[message_type]}
    rendered = render(message_type, locale, variables, business_name="Salon Uno", timezone="Europe/Rome")
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.text
    assert rendered.sms
    assert rendered.html.startswith("<!doctype html>")
    assert f'<html lang="{locale}">' in rendered.html
    assert "<script>" not in rendered.html  # autoescaped
    assert "Ana &lt;script&gt;" in rendered.html or "first_name" not in TEMPLATES[message_type]
    assert LAYOUT_TEXT[locale]["sent_by"].format(business="Salon Uno") in rendered.text
    for name in TEMPLATES[message_type]:
        if name in ("link", "sign_in_link", "reset_link", "code", "new_email"):
            assert SAMPLE[name] in rendered.text


def test_r_u4_every_template_file_has_all_four_languages_and_is_known() -> None:
    found: dict[str, set[str]] = {}
    for entry in TEMPLATE_DIR.iterdir():
        name = entry.name
        if name.endswith(".jinja"):
            message_type, locale, _ = name.rsplit(".", 2)
            found.setdefault(message_type, set()).add(locale)
    assert set(found) == set(TEMPLATES)
    for message_type, locales in found.items():
        assert locales == set(LOCALES), f"{message_type} has {sorted(locales)}"


def test_translations_differ_from_english() -> None:
    subjects = {
        locale: render("password_reset", locale, {"first_name": "A", "link": "x"}, business_name="S").subject
        for locale in LOCALES
    }
    assert len(set(subjects.values())) == 4


def test_dates_times_and_money_follow_locale_and_business_time_zone() -> None:
    variables = {name: SAMPLE[name] for name in TEMPLATES["receipt"]}
    italian = render("receipt", "it", variables, business_name="S", timezone="Europe/Rome").text
    english = render("receipt", "en", variables, business_name="S", timezone="America/New_York").text
    assert "1.234,50\xa0€" in italian
    assert "19:30" in italian  # 18:30 UTC in Rome
    assert "€1,234.50" in english
    assert "1:30" in english  # 13:30 in New York, 12-hour clock


def test_unsubscribe_link_in_text_and_html_footer() -> None:
    rendered = render(
        "marketing_message", "es", {"first_name": "A", "title": "T", "text": "X"},
        business_name="S", unsubscribe_url="https://example.test/w/s/unsubscribe?token=abc&x=1",
    )  # fmt: skip
    assert "Darse de baja de estos mensajes: https://example.test/w/s/unsubscribe?token=abc&x=1" in rendered.text
    assert 'href="https://example.test/w/s/unsubscribe?token=abc&amp;x=1"' in rendered.html


def test_locale_falls_back_from_client_to_business_to_english() -> None:
    assert negotiate_locale("pt", "it") == "pt"
    assert negotiate_locale(None, "it") == "it"
    assert negotiate_locale("de", None) == "en"
    assert negotiate_locale("es-MX") == "es"
