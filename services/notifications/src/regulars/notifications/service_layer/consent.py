"""Consent withdrawn outside the account page: unsubscribe links and SMS STOP replies."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from regulars.notifications.adapters.sms import InboundSms
from regulars.notifications.adapters.tables import inbound_sms
from regulars.notifications.domain.errors import TokenNotForThisBusiness
from regulars.notifications.domain.model import Preferences
from regulars.notifications.domain.tokens import UnsubscribeToken
from regulars.notifications.service_layer.contacts import contacts_with_phone
from regulars.notifications.service_layer.preferences import change_preferences, load_preferences
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.db.tables import business_projection
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.tenancy import get_business

# Carrier-standard opt-out and opt-in keywords (CTIA), matched on the whole message.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What an unsubscribe token names, at which business, and whether it is on now."""

    token: UnsubscribeToken
    business: BusinessSnapshot
    currently_enabled: bool


async def describe_unsubscribe(uow: UnitOfWork, token: UnsubscribeToken, business_id: uuid.UUID) -> UnsubscribeTarget:
    """What a token would unsubscribe (GET: changes nothing)."""
    if token.business_id != business_id:
        raise TokenNotForThisBusiness()
    business = await get_business(uow.conn, token.business_id)
    if business is None:
        raise TokenNotForThisBusiness()
    prefs = await load_preferences(uow.conn, token.account_id, token.business_id)
    return UnsubscribeTarget(token, business, prefs.allows(token.channel, token.category))


async def unsubscribe(
    uow: UnitOfWork, token: UnsubscribeToken, business_id: uuid.UUID, now: datetime
) -> UnsubscribeTarget:
    """Turn off what the token names (POST); repeating it changes nothing more."""
    target = await describe_unsubscribe(uow, token, business_id)
    await change_preferences(
        uow,
        org_id=target.business.org_id,
        account_id=token.account_id,
        business_id=token.business_id,
        changes={(token.channel, token.category): False},
        source="unsubscribe_link",
        now=now,
    )
    return UnsubscribeTarget(token, target.business, False)


def normalise_phone(number: str) -> str:
    """A phone number as the contacts hold it (E.164: ``+`` and digits)."""
    digits = re.sub(r"[^\d+]", "", number)
    return digits if digits.startswith("+") else f"+{digits}"


def keyword(body: str) -> str:
    """What an inbound SMS asks: ``stop``, ``start`` or ``other``."""
    word = body.strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return "other"


async def handle_inbound_sms(uow: UnitOfWork, provider: str, sms: InboundSms, now: datetime) -> tuple[str, int]:
    """STOP turns SMS marketing off at every business the number's accounts belong to; START back on.

    Returns the action and how many (account, business) pairs changed. A provider
    retrying the same webhook (same message id) changes nothing twice.
    """
    action = keyword(sms.body)
    phone = normalise_phone(sms.from_number)
    recorded = await uow.conn.scalar(
        insert(inbound_sms)
        .values(
            provider=provider,
            provider_message_id=sms.provider_message_id,
            from_number=phone,
            body=sms.body[:1600],
            action=action,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=[inbound_sms.c.provider_message_id])
        .returning(inbound_sms.c.id)
    )
    if recorded is None or action == "other":
        return action, 0
    changed = 0
    for contact in await contacts_with_phone(uow.conn, phone):
        query = sa.select(business_projection.c.business_id).where(business_projection.c.org_id == contact.org_id)
        if contact.scope_business_id is not None:
            query = query.where(business_projection.c.business_id == contact.scope_business_id)
        for business_id in (await uow.conn.execute(query)).scalars():
            before = await load_preferences(uow.conn, contact.account_id, business_id)
            after: Preferences = await change_preferences(
                uow,
                org_id=contact.org_id,
                account_id=contact.account_id,
                business_id=business_id,
                changes={("sms", "marketing"): action == "start"},
                source="sms_stop",
                now=now,
            )
            changed += int(before != after)
    return action, changed
