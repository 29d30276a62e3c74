"""Every message type renders in all four languages, from one source for subject, text and HTML,
and its templates use exactly the variables of its typed model."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import UndefinedError
from pydantic import ValidationError

from regulars.notifications.adapters.templates import (
    _TEXT,
    LAYOUT_TEXT,
    TEMPLATE_DIR,
    has_template,
    render,
    variables_used,
)
from regulars.notifications.domain.message_types import (
    MESSAGE_TYPES,
    MarketingMessageVariables,
    PasswordResetVariables,
    ReceiptVariables,
    TemplateVariables,
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
    "staff_name": "Marco",
}
# What the layout gives every template besides its model's variables.
LAYOUT_VARIABLES = {"business_name"}


def sample(message_type: str, **changes: Any) -> TemplateVariables:
    """The message type's model filled with every variable (from ``SAMPLE``), validated."""
    model = MESSAGE_TYPES[message_type]
    return model.model_validate({name: SAMPLE[name] for name in model.model_fields} | changes)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", sorted(MESSAGE_TYPES))
def test_r_u4_every_template_exists_and_renders_in_every_language(message_type: str, locale: str) -> None:
    assert has_template(message_type, locale), f"{message_type} is missing in {locale}"
    variables = sample(message_type)
    rendered = render(variables, locale, business_name="Salon Uno", timezone="Europe/Rome")
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.text
    assert rendered.sms
    assert rendered.html.startswith("<!doctype html>")
    assert f'<html lang="{locale}">' in rendered.html
    assert "<script>" not in rendered.html  # autoescaped
    assert "Ana &lt;script&gt;" in rendered.html
    assert LAYOUT_TEXT[locale]["sent_by"].format(business="Salon Uno") in rendered.text
    for name in type(variables).model_fields:
        if name in ("link", "sign_in_link", "reset_link", "code", "new_email", "staff_name"):
            assert SAMPLE[name] in rendered.text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", sorted(MESSAGE_TYPES))
def test_every_template_uses_exactly_the_variables_of_its_model(message_type: str, locale: str) -> None:
    # Read from the source, so a variable in a branch the samples do not take (or behind
    # ``is defined``, which strict rendering lets through) counts too.
    expected = set(MESSAGE_TYPES[message_type].model_fields) | LAYOUT_VARIABLES
    assert variables_used(message_type, locale) == expected


def test_rendering_fails_on_an_undefined_variable_and_a_message_on_a_missing_one() -> None:
    with pytest.raises(UndefinedError):
        _TEXT.from_string("Hi {{ first_name }}, {{ not_in_the_model }}").render(first_name="A")
    with pytest.raises(ValidationError):
        PasswordResetVariables(first_name="A")  # type: ignore[call-arg]  # no link
    with pytest.raises(ValidationError):
        PasswordResetVariables(first_name="A", link="x", code="1")  # type: ignore[call-arg]  # not its variable
    with pytest.raises(ValidationError):
        ReceiptVariables.model_validate(sample("receipt").stored() | {"paid_at": "2026-11-23T18:30:00"})  # no zone


def test_stored_variables_read_back_as_the_original() -> None:
    for message_type in MESSAGE_TYPES:
        variables = sample(message_type)
        again = MESSAGE_TYPES[message_type].model_validate(variables.stored())
        assert again == variables


def test_r_u4_every_template_file_has_all_four_languages_and_is_known() -> None:
    found: dict[str, set[str]] = {}
    for entry in TEMPLATE_DIR.iterdir():
        name = entry.name
        if name.endswith(".jinja"):
            message_type, locale, _ = name.rsplit(".", 2)
            found.setdefault(message_type, set()).add(locale)
    assert set(found) == set(MESSAGE_TYPES)
    for message_type, locales in found.items():
        assert locales == set(LOCALES), f"{message_type} has {sorted(locales)}"


def test_translations_differ_from_english() -> None:
    subjects = {
        locale: render(PasswordResetVariables(first_name="A", link="x"), locale, business_name="S").subject
        for locale in LOCALES
    }
    assert len(set(subjects.values())) == 4


def test_dates_times_and_money_follow_locale_and_business_time_zone() -> None:
    variables = sample("receipt")
    italian = render(variables, "it", business_name="S", timezone="Europe/Rome").text
    english = render(variables, "en", business_name="S", timezone="America/New_York").text
    assert "1.234,50\xa0€" in italian
    assert "19:30" in italian  # 18:30 UTC in Rome
    assert "€1,234.50" in english
    assert "1:30" in english  # 13:30 in New York, 12-hour clock


def test_unsubscribe_link_in_text_and_html_footer() -> None:
    rendered = render(
        MarketingMessageVariables(first_name="A", title="T", text="X"), "es",
        business_name="S", unsubscribe_url="https://example.test/w/s/unsubscribe?token=abc&x=1",
    )  # fmt: skip
    assert "Darse de baja de estos mensajes: https://example.test/w/s/unsubscribe?token=abc&x=1" in rendered.text
    assert 'href="https://example.test/w/s/unsubscribe?token=abc&amp;x=1"' in rendered.html


def test_locale_falls_back_from_client_to_business_to_english() -> None:
    assert negotiate_locale("pt", "it") == "pt"
    assert negotiate_locale(None, "it") == "it"
    assert negotiate_locale("de", None) == "en"
    assert negotiate_locale("es-MX") == "es"
