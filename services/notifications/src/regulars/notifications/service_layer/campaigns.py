"""Marketing messages a business sends to one client or to every client who opted in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.notifications.domain.errors import UnknownRecipient
from regulars.notifications.domain.message_types import MarketingMessageVariables
from regulars.notifications.domain.model import Channel, Status, decide
from regulars.notifications.service_layer.contacts import contacts_of_business, get_contact
from regulars.notifications.service_layer.messages import MessageRequest, request_message
from regulars.notifications.service_layer.preferences import load_preferences
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.settings import Settings


@dataclass(frozen=True)
class CampaignResult:
    """Which recipients a campaign queued a message for, and which it suppressed."""

    campaign_id: uuid.UUID
    queued: list[uuid.UUID]
    suppressed: list[uuid.UUID]


async def send_marketing(
    conn: AsyncConnection,
    settings: Settings,
    business: BusinessSnapshot,
    *,
    campaign_id: uuid.UUID,
    channel: Channel,
    title: str,
    text: str,
    account_id: uuid.UUID | None,
    now: datetime,
    due_at: datetime | None = None,
) -> CampaignResult:
    """Queue a marketing message for one account, or for every client with marketing on.

    To one account it is always stored, and suppressed with the reason when the
    client has marketing off, so the dispatch log says why nothing went out. The
    same ``campaign_id`` again adds nothing (one message per campaign and client).
    """
    if account_id is not None:
        contact = await get_contact(conn, account_id)
        if contact is None or not contact.belongs_to(business):
            raise UnknownRecipient()
        targets = [contact]
    else:
        targets = []
        for contact in await contacts_of_business(conn, business):
            prefs = await load_preferences(conn, contact.account_id, business.business_id)
            if decide(channel, "marketing", prefs).send:
                targets.append(contact)
    queued: list[uuid.UUID] = []
    suppressed: list[uuid.UUID] = []
    for contact in targets:
        result = await request_message(
            conn,
            settings,
            MessageRequest(
                org_id=business.org_id,
                business_id=business.business_id,
                account_id=contact.account_id,
                category="marketing",
                channel=channel,
                variables=MarketingMessageVariables(title=title, text=text),
                dedupe_key=f"campaign:{campaign_id}:{contact.account_id}:{channel}",
                due_at=due_at,
            ),
            now,
        )
        (queued if result.status is Status.QUEUED else suppressed).append(result.message_id)
    return CampaignResult(campaign_id, queued, suppressed)
