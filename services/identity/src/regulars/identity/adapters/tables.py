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

# --- Client accounts -------------------------------------------------------------
# An account's scope is its organization (client database "global":
# scope_business_id is NULL) or one business ("per_business"). Emails are unique
# within a scope, stored lower-cased.

client_accounts = sa.Table(
    "client_accounts",
    metadata,
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), sa.ForeignKey("organizations.org_id"), nullable=False),
    sa.Column("scope_business_id", UUID(as_uuid=True), sa.ForeignKey("businesses.business_id")),
    sa.Column("signup_business_id", UUID(as_uuid=True), sa.ForeignKey("businesses.business_id"), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("email_verified_at", sa.DateTime(timezone=True)),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("birthday", sa.Date),
    sa.Column("address", JSONB),
    sa.Column("locale", sa.Text, nullable=False),
    sa.Column("marketing_opt_in", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_sign_in_at", sa.DateTime(timezone=True)),
)
sa.Index(
    "client_accounts_org_email",
    client_accounts.c.org_id,
    client_accounts.c.email,
    unique=True,
    postgresql_where=client_accounts.c.scope_business_id.is_(None),
)
sa.Index(
    "client_accounts_business_email",
    client_accounts.c.scope_business_id,
    client_accounts.c.email,
    unique=True,
    postgresql_where=client_accounts.c.scope_business_id.is_not(None),
)
sa.Index(
    "client_accounts_unverified",
    client_accounts.c.created_at,
    postgresql_where=client_accounts.c.email_verified_at.is_(None),
)

client_sessions = sa.Table(
    "client_sessions",
    metadata,
    sa.Column("session_id", UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "account_id",
        UUID(as_uuid=True),
        sa.ForeignKey("client_accounts.account_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),  # whose widget it was made on
    sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("ip", sa.Text),
    sa.Column("user_agent", sa.Text),
    sa.Column("device_id", sa.Text),  # the gateway's device cookie: a known device keeps its sign-in allowance
)

# One-time tokens: email verification, password reset, email change, emailed sign-in.
client_tokens = sa.Table(
    "client_tokens",
    metadata,
    sa.Column("token_hash", sa.LargeBinary, primary_key=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column(
        "account_id",
        UUID(as_uuid=True),
        sa.ForeignKey("client_accounts.account_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column("new_email", sa.Text),
    sa.Column("code_hash", sa.LargeBinary),  # the short code of a verification email
    sa.Column("code_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(
        "purpose IN ('verify_email', 'password_reset', 'email_change', 'sign_in')", name="client_tokens_purpose"
    ),
)

pets = sa.Table(
    "pets",
    metadata,
    sa.Column("pet_id", UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "account_id",
        UUID(as_uuid=True),
        sa.ForeignKey("client_accounts.account_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("species", sa.Text, nullable=False),
    sa.Column("breed", sa.Text),
    sa.Column("birthday", sa.Date),
    sa.Column("weight_kg", sa.Numeric(6, 2)),
    sa.Column("notes", sa.Text),  # the client's notes for the business
    sa.Column("staff_notes", sa.Text),  # R-I9: staff only, never returned to the client
    sa.Column("staff_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),  # R-I9: staff only
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# The rate-limit counters (domain/limits.py) are regulars.shared.db.tables.rate_limits.
