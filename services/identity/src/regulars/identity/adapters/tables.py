"""Identity's own tables; the outbox, inbox and idempotency tables come from the shared package."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("org_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("client_database", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("client_database IN ('per_business', 'global')", name="organizations_client_database"),
)

businesses = sa.Table(
    "businesses",
    metadata,
    sa.Column("business_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), sa.ForeignKey("organizations.org_id"), nullable=False, index=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("vertical", sa.Text, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("default_locale", sa.Text, nullable=False),
    sa.Column("settings", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("business_id", UUID(as_uuid=True), sa.ForeignKey("businesses.business_id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),  # shown in listings so staff can tell keys apart
    sa.Column("key_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
