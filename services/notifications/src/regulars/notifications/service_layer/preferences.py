"""Reading and changing a client's preferences (R-N1); every change is published."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from regulars.notifications.adapters.tables import preferences
from regulars.notifications.domain.model import (
    CHANNELS,
    PREFERENCE_CATEGORIES,
    Channel,
    PreferenceCategory,
    Preferences,
)
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.contracts.notifications import (
    ChannelPreferences,
    PreferenceMatrix,
    PreferencesChanged,
    PreferenceSource,
)
from regulars.shared.db.unit_of_work import UnitOfWork


async def load_preferences(conn: AsyncConnection, account_id: uuid.UUID, business_id: uuid.UUID) -> Preferences:
    """The stored choices over the defaults (transactional on, marketing off)."""
    rows = (
        await conn.execute(
            sa.select(preferences.c.channel, preferences.c.category, preferences.c.enabled).where(
                preferences.c.account_id == account_id, preferences.c.business_id == business_id
            )
        )
    ).all()
    current = Preferences.defaults()
    for row in rows:
        current = current.with_value(row.channel, row.category, row.enabled)
    return current


def as_matrix(prefs: Preferences) -> PreferenceMatrix:
    """``prefs`` as the contract shows them."""
    return PreferenceMatrix(
        email=ChannelPreferences(
            transactional=prefs.allows("email", "transactional"), marketing=prefs.allows("email", "marketing")
        ),
        sms=ChannelPreferences(
            transactional=prefs.allows("sms", "transactional"), marketing=prefs.allows("sms", "marketing")
        ),
    )


def from_matrix(matrix: PreferenceMatrix) -> Preferences:
    """The contract's matrix as the domain's preferences."""
    return Preferences(
        email_transactional=matrix.email.transactional,
        email_marketing=matrix.email.marketing,
        sms_transactional=matrix.sms.transactional,
        sms_marketing=matrix.sms.marketing,
    )


async def change_preferences(
    uow: UnitOfWork,
    *,
    org_id: uuid.UUID,
    account_id: uuid.UUID,
    business_id: uuid.UUID,
    changes: dict[tuple[Channel, PreferenceCategory], bool],
    source: PreferenceSource,
    now: datetime,
    publish_unchanged: bool = False,
) -> Preferences:
    """Apply ``changes`` and publish ``notifications.preferences.changed.v1`` if anything changed.

    The current rows are locked first, so two concurrent changes serialise and each
    event describes the state its own change produced.
    """
    await uow.conn.execute(
        sa.select(preferences.c.channel)
        .where(preferences.c.account_id == account_id, preferences.c.business_id == business_id)
        .with_for_update()
    )
    before = await load_preferences(uow.conn, account_id, business_id)
    changed = [
        f"{channel}.{category}"
        for (channel, category), enabled in changes.items()
        if before.allows(channel, category) != enabled
    ]
    if not changed and not publish_unchanged:
        return before
    for (channel, category), enabled in changes.items():
        row = insert(preferences).values(
            account_id=account_id,
            business_id=business_id,
            channel=channel,
            category=category,
            org_id=org_id,
            enabled=enabled,
            source=source,
            updated_at=now,
        )
        await uow.conn.execute(
            row.on_conflict_do_update(
                index_elements=[
                    preferences.c.account_id,
                    preferences.c.business_id,
                    preferences.c.channel,
                    preferences.c.category,
                ],
                set_={"enabled": row.excluded.enabled, "source": row.excluded.source, "updated_at": now},
            )
        )
    after = await load_preferences(uow.conn, account_id, business_id)
    await uow.publish(
        PreferencesChanged(
            org_id=org_id,
            business_id=business_id,
            account_id=account_id,
            preferences=as_matrix(after),
            changed=sorted(changed),
            source=source,
        )
    )
    return after


async def set_client_preferences(
    uow: UnitOfWork, business: BusinessSnapshot, account_id: uuid.UUID, wanted: Preferences, now: datetime
) -> Preferences:
    """The client's whole matrix at ``business`` set as they chose it (published if anything changed)."""
    return await change_preferences(
        uow,
        org_id=business.org_id,
        account_id=account_id,
        business_id=business.business_id,
        changes=full_matrix(wanted),
        source="client",
        now=now,
    )


def full_matrix(prefs: Preferences) -> dict[tuple[Channel, PreferenceCategory], bool]:
    """Every channel x category of ``prefs``, as changes for ``change_preferences``."""
    return {(c, k): prefs.allows(c, k) for c in CHANNELS for k in PREFERENCE_CATEGORIES}
