"""Message templates: one Jinja source per message type and language.

Each message type (``domain.message_types``: its variables, typed) has one
``templates/<type>.<locale>.jinja`` per language, which defines the blocks ``subject`` and
``body`` (and optionally ``sms``, a short version for text messages). The body is
written once and rendered twice: as plain text, and as HTML in an environment
with autoescape, where blank-line separated paragraphs become ``<p>`` and the
``button`` / ``code`` helpers become markup. Dates, times and money go through
Babel in the message's locale and the business's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, meta, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from regulars.notifications.domain.message_types import TemplateVariables

# Words of the shared layout (footer), per language.
LAYOUT_TEXT: dict[str, dict[str, str]] = {
    "en": {"sent_by": "Sent by {business}.", "unsubscribe": "Unsubscribe from these messages"},
    "es": {"sent_by": "Enviado por {business}.", "unsubscribe": "Darse de baja de estos mensajes"},
    "it": {"sent_by": "Inviato da {business}.", "unsubscribe": "Annulla l'iscrizione a questi messaggi"},
    "pt": {"sent_by": "Enviado por {business}.", "unsubscribe": "Cancelar a subscrição destas mensagens"},
}

TEMPLATE_DIR = files("regulars.notifications").joinpath("templates")


class TemplateMissing(LookupError):
    pass


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def _moment(value: Any, tz: ZoneInfo) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz)


@pass_context
def _datetime(ctx: Context, value: Any, fmt: str = "medium") -> str:
    tz = ZoneInfo(ctx["_timezone"])
    return format_datetime(_moment(value, tz), fmt, tzinfo=tz, locale=ctx["_locale"])


@pass_context
def _date(ctx: Context, value: Any, fmt: str = "long") -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value, fmt, locale=ctx["_locale"])
    tz = ZoneInfo(ctx["_timezone"])
    return format_date(_moment(value, tz).date(), fmt, locale=ctx["_locale"])


@pass_context
def _time(ctx: Context, value: Any, fmt: str = "short") -> str:
    tz = ZoneInfo(ctx["_timezone"])
    return format_time(_moment(value, tz), fmt, tzinfo=tz, locale=ctx["_locale"])


@pass_context
def _money(ctx: Context, value: Any, currency: str | None = None) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return format_currency(amount, currency or ctx["_currency"], locale=ctx["_locale"])


@pass_context
def _button(ctx: Context, url: str, label: str) -> str:
    if ctx["_mode"] == "html":
        return Markup(
            '<p><a class="button" href="{0}" style="display:inline-block;padding:10px 18px;'
            'background:#1f5f99;color:#fff;border-radius:6px;text-decoration:none">{1}</a></p>'
        ).format(url, label)
    return f"{label}: {url}"


@pass_context
def _show_code(ctx: Context, value: str) -> str:
    if ctx["_mode"] == "html":
        return Markup('<strong style="font-size:1.3em;letter-spacing:0.15em">{0}</strong>').format(value)
    return str(value)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(datetime=_datetime, date=_date, time=_time, money=_money)
    env.globals.update(button=_button, show_code=_show_code)
    return env


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)
_LAYOUT = _HTML.from_string(
    """<!doctype html>
<html lang="{{ locale }}"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#222;max-width:36em;margin:auto;padding:1em">
<h1 style="font-size:1.2em">{{ business_name }}</h1>
{{ content }}
<hr><p style="font-size:0.85em;color:#666">{{ sent_by }}
{% if unsubscribe_url %}<br><a href="{{ unsubscribe_url }}">{{ unsubscribe }}</a>{% endif %}</p>
</body></html>"""
)
_BLANK_LINES = re.compile(r"\n\s*\n")


def template_name(message_type: str, locale: str) -> str:
    return f"{message_type}.{locale}.jinja"


def has_template(message_type: str, locale: str) -> bool:
    return TEMPLATE_DIR.joinpath(template_name(message_type, locale)).is_file()


def variables_used(message_type: str, locale: str) -> set[str]:
    """The variables a template reads and does not set itself (the layout's and its model's)."""
    source = TEMPLATE_DIR.joinpath(template_name(message_type, locale)).read_text(encoding="utf-8")
    return meta.find_undeclared_variables(_TEXT.parse(source))


def _block(template: Template, name: str, variables: dict[str, Any]) -> str:
    if name not in template.blocks:
        return ""
    return "".join(template.blocks[name](template.new_context(variables))).strip()


def _paragraphs(html_body: str) -> str:
    parts = [part.strip() for part in _BLANK_LINES.split(html_body) if part.strip()]
    return "\n".join(part if part.startswith("<") else f"<p>{part.replace(chr(10), '<br>')}</p>" for part in parts)


def render(
    variables: TemplateVariables,
    locale: str,
    *,
    business_name: str,
    timezone: str = "UTC",
    currency: str = "EUR",
    unsubscribe_url: str | None = None,
) -> Rendered:
    """Subject, text, HTML and SMS text of one message from its typed variables; ``TemplateMissing``
    if its type has no template in ``locale``."""
    message_type = variables.message_type
    if not has_template(message_type, locale):
        raise TemplateMissing(f"no template {message_type!r} in {locale!r}")
    base = {"business_name": business_name, **variables.for_template(), "_locale": locale, "_timezone": timezone}
    base["_currency"] = currency
    text_template = _TEXT.get_template(template_name(message_type, locale))
    html_template = _HTML.get_template(template_name(message_type, locale))
    subject = " ".join(_block(text_template, "subject", {**base, "_mode": "text"}).split())
    text = _block(text_template, "body", {**base, "_mode": "text"})
    html_body = _block(html_template, "body", {**base, "_mode": "html"})
    sms = _block(text_template, "sms", {**base, "_mode": "text"}) or f"{subject}\n{text}"
    words = LAYOUT_TEXT[locale]
    sent_by = words["sent_by"].format(business=business_name)
    footer = f"\n\n--\n{sent_by}"
    if unsubscribe_url:
        footer += f"\n{words['unsubscribe']}: {unsubscribe_url}"
    html = _LAYOUT.render(
        locale=locale,
        subject=subject,
        business_name=business_name,
        content=Markup(_paragraphs(html_body)),
        sent_by=sent_by,
        unsubscribe_url=unsubscribe_url,
        unsubscribe=words["unsubscribe"],
    )
    return Rendered(subject=subject, text=text + footer, html=html, sms=sms)
