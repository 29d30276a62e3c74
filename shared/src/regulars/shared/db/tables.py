"""Tables every service has: outbox, inbox, idempotency keys, business projection; and the
rate-limit counters for the services that use ``regulars.shared.ratelimit``.

Each service's first migration creates them with ``create_common_tables``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("correlation_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_error", sa.Text),
)
# The relay's claim query reads only unpublished rows, in order.
sa.Index(
    "outbox_pending",
    outbox.c.next_attempt_at,
    outbox.c.id,
    postgresql_where=outbox.c.published_at.is_(None),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Integer),  # NULL while the first request is in flight
    sa.Column("response", JSONB),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

business_projection = sa.Table(
    "businesses",
    metadata,
    sa.Column("business_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Fixed-window counters of regulars.shared.ratelimit. Not common: a service that limits
# something creates it with ``create_rate_limits_table`` in one of its migrations.
rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("bucket", sa.Text, primary_key=True),
    sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
)

COMMON = (outbox, inbox, idempotency_keys)


def create_common_tables(bind: sa.Connection, with_business_projection: bool = True) -> None:
    tables = [*COMMON, business_projection] if with_business_projection else list(COMMON)
    metadata.create_all(bind, tables=tables)


def create_rate_limits_table(bind: sa.Connection) -> None:
    metadata.create_all(bind, tables=[rate_limits])


def drop_common_tables(bind: sa.Connection) -> None:
    metadata.drop_all(bind, tables=[*COMMON, business_projection], checkfirst=True)
