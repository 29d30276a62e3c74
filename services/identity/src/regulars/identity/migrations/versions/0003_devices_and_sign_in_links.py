"""Sessions remember the device (signed device cookie); one-time tokens for emailed sign-in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PURPOSES = "'verify_email', 'password_reset', 'email_change'"


def upgrade() -> None:
    op.add_column("client_sessions", sa.Column("device_id", sa.Text))
    op.drop_constraint("client_tokens_purpose", "client_tokens", type_="check")
    op.create_check_constraint("client_tokens_purpose", "client_tokens", f"purpose IN ({PURPOSES}, 'sign_in')")


def downgrade() -> None:
    op.execute("DELETE FROM client_tokens WHERE purpose = 'sign_in'")
    op.drop_constraint("client_tokens_purpose", "client_tokens", type_="check")
    op.create_check_constraint("client_tokens_purpose", "client_tokens", f"purpose IN ({PURPOSES})")
    op.drop_column("client_sessions", "device_id")
