"""Messages say whether their recipient is final or looked up from the contact at send time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# domain.model.ADDRESS_BOUND_TEMPLATES when this revision was written.
ADDRESS_BOUND = ("verify_email", "account_exists", "password_reset", "password_changed",
                 "email_change_verify", "email_change_notice")  # fmt: skip


def upgrade() -> None:
    op.add_column("messages", sa.Column("recipient_fixed", sa.Boolean, nullable=False, server_default=sa.true()))
    # Messages still waiting for an account follow its contact from now on, like new ones.
    bound = ", ".join(f"'{name}'" for name in ADDRESS_BOUND)
    op.execute(
        "UPDATE messages SET recipient_fixed = false WHERE account_id IS NOT NULL"
        f" AND status IN ('queued', 'failed', 'sending') AND template NOT IN ({bound})"
    )


def downgrade() -> None:
    op.drop_column("messages", "recipient_fixed")
