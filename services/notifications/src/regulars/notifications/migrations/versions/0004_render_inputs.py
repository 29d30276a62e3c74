"""Messages for an account keep what they were rendered from, to be rendered again at send time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL (every message queued before this revision, and messages bound to one address):
    # sent as rendered when queued.
    op.add_column("messages", sa.Column("render_inputs", JSONB))


def downgrade() -> None:
    op.drop_column("messages", "render_inputs")
