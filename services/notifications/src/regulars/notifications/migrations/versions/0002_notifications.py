"""Contacts, preferences, messages with their dispatch log, voided subjects, inbound SMS.

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

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("org_id", UUID(as_uuid=True), nullable=False),
        sa.Column("scope_business_id", UUID(as_uuid=True)),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("locale", sa.Text),
        sa.Column("first_name", sa.Text, nullable=False, server_default=""),
        sa.Column("last_name", sa.Text, nullable=False, server_default=""),
        sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("contacts_org", "contacts", ["org_id"])
    op.create_index("contacts_phone", "contacts", ["phone"])

    op.create_table(
        "preferences",
        sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("business_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("org_id", UUID(as_uuid=True), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="preferences_channel"),
        sa.CheckConstraint("category IN ('transactional', 'marketing')", name="preferences_category"),
    )

    op.create_table(
        "messages",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("org_id", UUID(as_uuid=True), nullable=False),
        sa.Column("business_id", UUID(as_uuid=True)),
        sa.Column("account_id", UUID(as_uuid=True)),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text),
        sa.Column("headers", JSONB, nullable=False, server_default="{}"),
        sa.Column("attachments", JSONB, nullable=False, server_default="[]"),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("lease_until", TZ),
        sa.Column("subject_ref", sa.Text),
        sa.Column("dedupe_key", sa.Text, nullable=False, unique=True),
        sa.Column("correlation_id", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'abandoned', 'suppressed', 'dropped')",
            name="messages_status",
        ),
    )
    op.create_index(
        "messages_claimable",
        "messages",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('queued', 'failed', 'sending')"),
    )
    op.create_index("messages_business", "messages", ["business_id", "created_at"])
    op.create_index("messages_subject", "messages", ["org_id", "subject_ref"])

    op.create_table(
        "dispatch_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("message_id", UUID(as_uuid=True), sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("courier", sa.Text),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("dispatch_log_message", "dispatch_log", ["message_id", "id"])

    op.create_table(
        "voided_subjects",
        sa.Column("org_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("subject_ref", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("voided_at", TZ, nullable=False),
    )
    op.create_table(
        "inbound_sms",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("provider_message_id", sa.Text, unique=True),
        sa.Column("from_number", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("inbound_sms", "voided_subjects", "dispatch_log", "messages", "preferences", "contacts"):
        op.drop_table(table)
