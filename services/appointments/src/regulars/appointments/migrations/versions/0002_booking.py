"""Catalog, staff, hours, time off, products, client records, bookings.

A booking holds its staff member for ``blocked`` = [start, end + buffer); an
exclusion constraint (btree_gist) makes two live bookings of one staff member that
overlap impossible, whatever the concurrency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

from regulars.appointments.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "staff",
    "services",
    "service_staff",
    "working_hours",
    "time_off",
    "products",
    "known_accounts",
    "client_records",
    "appointments",
    "reserved_products",
    "calendar_feeds",
)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    bind = op.get_bind()
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES])
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_booking "
        "EXCLUDE USING gist (staff_id WITH =, blocked WITH &&) "
        "WHERE (status <> 'cancelled' AND deleted_at IS NULL)"
    )


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in reversed(TABLES)])
