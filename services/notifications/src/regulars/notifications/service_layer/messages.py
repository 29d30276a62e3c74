"""The pipeline every message goes through: resolve the recipient, render, store.

Event handlers of any service build a ``MessageRequest`` and call
``request_message`` inside their unit of work (whose inbox record makes a
redelivered event a no-op); the courier does the rest. Nothing here sends.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from jinja2 import TemplateError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.notifications.adapters.tables import dispatch_log, messages, voided_subjects
from regulars.notifications.adapters.templates import TemplateMissing, render
from regulars.notifications.domain.message_types import TemplateVariables, UnknownMessageType, stored_variables
from regulars.notifications.domain.model import (
    Category,
    Channel,
    Status,
    decide_on_queueing,
    greeting_name,
    message_locale,
    recipient_is_fixed,
)
from regulars.notifications.domain.tokens import UnsubscribeToken, sign_unsubscribe
from regulars.notifications.service_layer.contacts import Contact, get_contact
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.links import widget_link
from regulars.shared.settings import Settings
from regulars.shared.tenancy import get_business

# What rendering a stored message may raise (its type or template gone, variables that no longer fit).
RENDER_ERRORS = (TemplateMissing, UnknownMessageType, TemplateError, KeyError, ValueError)

# NOTIFY channel that wakes the couriers when a message is queued (delivered at commit).
COURIER_CHANNEL = "regulars_courier"


@dataclass(frozen=True)
class MessageRequest:
    """What to tell whom; ``variables`` say which message type (and are its typed template
    variables); ``dedupe_key`` makes the request idempotent (one message per key)."""

    org_id: uuid.UUID
    variables: TemplateVariables
    category: Category
    channel: Channel
    dedupe_key: str
    business_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    # The address for a message without an account, or one of domain.model.ADDRESS_BOUND_TEMPLATES;
    # any other message for an account goes to the account's contact as it is at send time.
    to: str | None = None
    locale: str | None = None
    due_at: datetime | None = None
    subject_ref: str | None = None
    # An .ics or other file: {"filename", "content_type", "content" (text) or "content_base64"}.
    attachments: list[dict[str, str]] = field(default_factory=list)
    correlation_id: str | None = None

    @property
    def template(self) -> str:
        return self.variables.message_type


@dataclass(frozen=True)
class Queued:
    """The message a request stored (or found under its dedupe key), and its first status."""

    message_id: uuid.UUID
    status: Status
    created: bool


def unsubscribe_links(settings: Settings, business: BusinessSnapshot, token: UnsubscribeToken) -> tuple[str, str]:
    """The page the client sees (widget) and the one-click endpoint (RFC 8058)."""
    signed = sign_unsubscribe(settings.notifications_signing_key, token)
    return (
        widget_link(settings.public_url, business.slug, "unsubscribe", token=signed),
        f"{settings.public_url.rstrip('/')}/api/v1/b/{business.slug}/unsubscribe?token={signed}",
    )


def _attachments(items: list[dict[str, str]]) -> list[dict[str, str]]:
    normalised = []
    for item in items:
        content = item.get("content_base64") or base64.b64encode(item.get("content", "").encode()).decode()
        normalised.append(
            {
                "filename": item.get("filename", "attachment"),
                "content_type": item.get("content_type", "application/octet-stream"),
                "content_base64": content,
            }
        )
    return normalised


@dataclass(frozen=True)
class Content:
    """A message rendered for its channel, in one language."""

    locale: str
    subject: str
    text: str
    html: str | None


def render_content(template: str, channel: str, locale: str, inputs: dict[str, Any]) -> Content:
    """Render ``template`` from its stored inputs (``render_inputs``: variables and the business's
    name, time zone, currency and the unsubscribe link); raises what ``stored_variables`` and
    ``render`` raise."""
    rendered = render(
        stored_variables(template, inputs["variables"]),
        locale,
        business_name=inputs["business_name"],
        timezone=inputs["timezone"],
        currency=inputs["currency"],
        unsubscribe_url=inputs["unsubscribe_url"],
    )
    if channel == "email":
        return Content(locale, rendered.subject, rendered.text, rendered.html)
    return Content(locale, rendered.subject, rendered.sms, None)


def rendered_again(row: Any, contact: Contact) -> tuple[Content, dict[str, Any]] | None:
    """A message for an account in the account's language and first name as they are now, with
    its updated inputs; None when both are as when it was rendered (or it cannot be rendered)."""
    inputs = row.render_inputs
    if inputs is None:
        return None
    locale = message_locale(
        recipient_fixed=False, requested=inputs["requested_locale"], account=contact.locale,
        business=inputs["business_locale"],
    )  # fmt: skip
    given = inputs["variables"].get("first_name", "")
    name = greeting_name(recipient_fixed=False, account=contact.first_name, given=given)
    if locale == row.locale and name == given:
        return None
    inputs = {**inputs, "variables": {**inputs["variables"], "first_name": name}}
    try:
        return render_content(row.template, row.channel, locale, inputs), inputs
    except RENDER_ERRORS:
        return None  # what was rendered when it was queued still goes


async def current_contact(conn: AsyncConnection, row: Any) -> Contact | None:
    """The contact of a message's account as it is now; None without one here (the projection
    never had it, or it belongs to another tenant: R-T4)."""
    contact = await get_contact(conn, row.account_id) if row.account_id is not None else None
    if contact is not None:
        business = await get_business(conn, row.business_id) if row.business_id is not None else None
        if contact.org_id != row.org_id or (business is not None and not contact.belongs_to(business)):
            return None
    return contact


async def current_address(conn: AsyncConnection, row: Any, contact: Contact | None) -> str | None:
    """Where a message not bound to one address goes now: its account's ``current_contact``;
    without one, the address chosen at queue time stands."""
    if contact is None:
        return str(row.recipient) or None
    return contact_address(contact, row.channel)


async def is_voided(conn: AsyncConnection, org_id: uuid.UUID, subject_ref: str | None) -> bool:
    """Whether the subject a message is about (an appointment...) was cancelled."""
    if subject_ref is None:
        return False
    found = await conn.scalar(
        sa.select(voided_subjects.c.reason).where(
            voided_subjects.c.org_id == org_id, voided_subjects.c.subject_ref == subject_ref
        )
    )
    return found is not None


async def log_dispatch(
    conn: AsyncConnection,
    message_id: uuid.UUID,
    attempt: int,
    outcome: str,
    detail: str,
    at: datetime,
    courier: str | None = None,
) -> None:
    """One line of a message's dispatch log (the detail cut to 2,000 characters)."""
    await conn.execute(
        sa.insert(dispatch_log).values(
            message_id=message_id, attempt=attempt, outcome=outcome, detail=detail[:2000], at=at, courier=courier
        )
    )


def contact_address(contact: Contact, channel: str) -> str | None:
    """The contact's address on ``channel`` (email or phone), None when it has none."""
    return (contact.email if channel == "email" else contact.phone) or None


async def request_message(conn: AsyncConnection, settings: Settings, request: MessageRequest, now: datetime) -> Queued:
    """Render and store one message (queued, or suppressed / dropped with the reason logged).

    Preferences are not decided here but by the courier at send time (R-N3): a
    scheduled message follows what the client chose by the time it is due.
    """
    existing = await conn.scalar(sa.select(messages.c.id).where(messages.c.dedupe_key == request.dedupe_key))
    if existing is not None:
        row = (await conn.execute(sa.select(messages.c.status).where(messages.c.id == existing))).one()
        return Queued(existing, Status(row.status), created=False)

    contact = await get_contact(conn, request.account_id) if request.account_id else None
    business = await get_business(conn, request.business_id) if request.business_id else None
    if business is not None and business.org_id != request.org_id:
        raise ValueError("the business belongs to another organization")
    if contact is not None and business is not None and not contact.belongs_to(business):
        contact = None  # never address another tenant's client with this business's message
    fixed = recipient_is_fixed(request.template, request.account_id)
    known = contact_address(contact, request.channel) if contact is not None else None
    # A fixed address is the one named; otherwise the contact's (looked up again by the courier).
    recipient = (request.to or known) if fixed else (known or request.to)
    due = request.due_at or now
    locale = message_locale(
        recipient_fixed=fixed,
        requested=request.locale,
        account=contact.locale if contact else None,
        business=business.default_locale if business else None,
    )
    given = request.variables
    name = given.first_name if "first_name" in given.model_fields_set else (contact.first_name if contact else "")
    name = greeting_name(recipient_fixed=fixed, account=contact.first_name if contact else None, given=name)
    variables = given.model_copy(update={"first_name": name})

    status, reason = Status.QUEUED, ""
    unsubscribe_url: str | None = None
    headers: dict[str, str] = {}
    if request.category == "marketing" and business is not None and request.account_id is not None:
        token = UnsubscribeToken(request.account_id, business.business_id, request.channel, "marketing")
        unsubscribe_url, one_click = unsubscribe_links(settings, business, token)
        if request.channel == "email":
            headers = {"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    inputs = {
        "variables": variables.stored(),
        "business_name": business.name if business else "Regulars",
        "timezone": business.timezone if business else "UTC",
        "currency": business.currency if business else "EUR",
        "unsubscribe_url": unsubscribe_url,
        "requested_locale": request.locale,
        "business_locale": business.default_locale if business else None,
    }
    try:
        content = render_content(request.template, request.channel, locale, inputs)
        subject, text, html = content.subject, content.text, content.html
    except RENDER_ERRORS as exc:
        status, reason = Status.ABANDONED, f"cannot render {request.template!r} in {locale!r}: {exc}"
        subject, text, html = "", "", None
    if status is Status.QUEUED:
        voided = await is_voided(conn, request.org_id, request.subject_ref)
        status, reason = decide_on_queueing(
            request.channel,
            request.category,
            has_account=request.account_id is not None,
            recipient=recipient,
            recipient_fixed=fixed,
            due=due,
            now=now,
            voided_subject=request.subject_ref if voided else None,
        )

    message_id = uuid.uuid4()
    inserted = await conn.scalar(
        insert(messages)
        .values(
            id=message_id,
            org_id=request.org_id,
            business_id=request.business_id,
            account_id=request.account_id,
            channel=request.channel,
            category=request.category,
            template=request.template,
            locale=locale,
            recipient=recipient or "",
            recipient_fixed=fixed,
            subject=subject,
            text_body=text,
            html_body=html,
            headers=headers,
            attachments=_attachments(request.attachments) if request.channel == "email" else [],
            render_inputs=None if fixed else inputs,
            status=status.value,
            due_at=due,
            next_attempt_at=due,
            subject_ref=request.subject_ref,
            dedupe_key=request.dedupe_key,
            correlation_id=request.correlation_id,
            last_error=reason or None,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[messages.c.dedupe_key])
        .returning(messages.c.id)
    )
    if inserted is None:  # a concurrent request with the same key won
        existing = await conn.scalar(sa.select(messages.c.id).where(messages.c.dedupe_key == request.dedupe_key))
        assert existing is not None
        return Queued(existing, Status.QUEUED, created=False)
    detail = reason or (f"queued, due {due.isoformat()}" if due > now else "queued")
    await log_dispatch(conn, message_id, 0, status.value, detail, now)
    if status is Status.QUEUED and due <= now:
        await conn.execute(sa.select(sa.func.pg_notify(COURIER_CHANNEL, "")))
    return Queued(message_id, status, created=True)


async def void_subject(conn: AsyncConnection, org_id: uuid.UUID, subject_ref: str, reason: str, now: datetime) -> int:
    """What ``subject_ref`` was about was cancelled: drop its waiting messages, and later ones.

    Returns how many waiting messages were dropped. A message already being sent
    is not recalled.
    """
    await conn.execute(
        insert(voided_subjects)
        .values(org_id=org_id, subject_ref=subject_ref, reason=reason, voided_at=now)
        .on_conflict_do_nothing()
    )
    dropped = (
        await conn.execute(
            sa.update(messages)
            .where(
                messages.c.org_id == org_id,
                messages.c.subject_ref == subject_ref,
                messages.c.status.in_((Status.QUEUED.value, Status.FAILED.value)),
            )
            .values(status=Status.DROPPED.value, last_error=f"{subject_ref} was cancelled: {reason}")
            .returning(messages.c.id, messages.c.attempts)
        )
    ).all()
    for row in dropped:
        await log_dispatch(conn, row.id, row.attempts, "dropped", f"{subject_ref} was cancelled: {reason}", now)
    return len(dropped)
