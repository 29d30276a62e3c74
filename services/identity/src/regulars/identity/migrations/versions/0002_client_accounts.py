"""Client accounts, sessions, one-time tokens, pets, rate-limit counters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _account_fk() -> sa.ForeignKey:
    return sa.ForeignKey("client_accounts.account_id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "client_accounts",
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
    op.create_index(
        "client_accounts_org_email",
        "client_accounts",
        ["org_id", "email"],
        unique=True,
        postgresql_where=sa.text("scope_business_id IS NULL"),
    )
    op.create_index(
        "client_accounts_business_email",
        "client_accounts",
        ["scope_business_id", "email"],
        unique=True,
        postgresql_where=sa.text("scope_business_id IS NOT NULL"),
    )
    op.create_index(
        "client_accounts_unverified",
        "client_accounts",
        ["created_at"],
        postgresql_where=sa.text("email_verified_at IS NULL"),
    )
    op.create_table(
        "client_sessions",
        sa.Column("session_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), _account_fk(), nullable=False),
        sa.Column("business_id", UUID(as_uuid=True), nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("ip", sa.Text),
        sa.Column("user_agent", sa.Text),
    )
    op.create_index("ix_client_sessions_account_id", "client_sessions", ["account_id"])
    op.create_table(
        "client_tokens",
        sa.Column("token_hash", sa.LargeBinary, primary_key=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("account_id", UUID(as_uuid=True), _account_fk(), nullable=False),
        sa.Column("business_id", UUID(as_uuid=True), nullable=False),
        sa.Column("new_email", sa.Text),
        sa.Column("code_hash", sa.LargeBinary),
        sa.Column("code_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "purpose IN ('verify_email', 'password_reset', 'email_change')", name="client_tokens_purpose"
        ),
    )
    op.create_index("ix_client_tokens_account_id", "client_tokens", ["account_id"])
    op.create_table(
        "pets",
        sa.Column("pet_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), _account_fk(), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("species", sa.Text, nullable=False),
        sa.Column("breed", sa.Text),
        sa.Column("birthday", sa.Date),
        sa.Column("weight_kg", sa.Numeric(6, 2)),
        sa.Column("notes", sa.Text),
        sa.Column("staff_notes", sa.Text),
        sa.Column("staff_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pets_account_id", "pets", ["account_id"])
    op.create_table(
        "rate_limits",
        sa.Column("bucket", sa.Text, primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("rate_limits", "pets", "client_tokens", "client_sessions", "client_accounts"):
        op.drop_table(table)
