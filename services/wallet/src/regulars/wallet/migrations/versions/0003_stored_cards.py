"""Stored cards: each account's customer at the payment provider, and what is kept of a card
(token, brand, last four, expiry, fingerprint; never its number).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_customers",
        sa.Column("org_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("provider", sa.Text, primary_key=True),
        sa.Column("customer_ref", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stored_cards",
        sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("org_id", UUID(as_uuid=True), nullable=False),
        sa.Column("account_id", UUID(as_uuid=True), nullable=False),
        sa.Column("business_id", UUID(as_uuid=True), nullable=False),
        sa.Column("provider", sa.Text, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("brand", sa.Text, nullable=False),
        sa.Column("last4", sa.Text, nullable=False),
        sa.Column("exp_month", sa.SmallInteger, nullable=False),
        sa.Column("exp_year", sa.SmallInteger, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("provider", "token", name="stored_cards_token"),
        sa.CheckConstraint("last4 ~ '^[0-9]{4}$'", name="stored_cards_last4"),
        sa.CheckConstraint("exp_month BETWEEN 1 AND 12", name="stored_cards_exp_month"),
        sa.CheckConstraint("NOT (is_default AND removed_at IS NOT NULL)", name="stored_cards_default_kept"),
    )
    op.create_index(
        "stored_cards_of_account",
        "stored_cards",
        ["org_id", "account_id", "provider", "fingerprint"],
        unique=True,
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_index(
        "stored_cards_one_default",
        "stored_cards",
        ["org_id", "account_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    op.drop_table("stored_cards")
    op.drop_table("payment_customers")
