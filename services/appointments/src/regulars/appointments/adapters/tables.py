"""The appointments service's own tables (the common ones come from the shared package).

Every table carries ``business_id`` (and bookings ``org_id``): every query is scoped
by tenant. Money is in minor units with its currency.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, UUID

metadata = sa.MetaData()


def _id() -> sa.Column[object]:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


staff = sa.Table(
    "staff",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
)

catalog_services = sa.Table(
    "services",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("category", sa.Text, nullable=False, server_default=""),
    sa.Column("duration_minutes", sa.Integer, nullable=False),
    sa.Column("buffer_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("online_booking", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("prepayment_required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("intake_questions", JSONB, nullable=False, server_default="[]"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
    sa.CheckConstraint("duration_minutes > 0", name="services_duration_positive"),
    sa.CheckConstraint("buffer_minutes >= 0", name="services_buffer_not_negative"),
    sa.CheckConstraint("price_minor >= 0", name="services_price_not_negative"),
)

service_staff = sa.Table(
    "service_staff",
    metadata,
    sa.Column("service_id", UUID(as_uuid=True), sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("staff_id", UUID(as_uuid=True), sa.ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
)

working_hours = sa.Table(
    "working_hours",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column(
        "staff_id", UUID(as_uuid=True), sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("weekday", sa.SmallInteger, nullable=False),  # 0 = Monday
    sa.Column("start_time", sa.Time, nullable=False),
    sa.Column("end_time", sa.Time, nullable=False),
    sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="working_hours_weekday"),
    sa.CheckConstraint("start_time < end_time", name="working_hours_order"),
)

time_off = sa.Table(
    "time_off",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column(
        "staff_id", UUID(as_uuid=True), sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    _created(),
    sa.CheckConstraint("starts_at < ends_at", name="time_off_order"),
)

products = sa.Table(
    "products",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("stock", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _created(),
    sa.CheckConstraint("stock >= 0", name="products_stock_not_negative"),
)

# The accounts identity told us about (registered, verified, email changes), so that
# assignment rules (R-A6, R-A7) can ask "did an account with this email exist?".
known_accounts = sa.Table(
    "known_accounts",
    metadata,
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("scope_business_id", UUID(as_uuid=True)),  # NULL: the whole organization
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("known_accounts_email", known_accounts.c.org_id, sa.func.lower(known_accounts.c.email))

# The business's own client record (CRM), linked to the account once there is one.
client_records = sa.Table(
    "client_records",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("account_id", UUID(as_uuid=True), index=True),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False, server_default=""),
    sa.Column("email", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("birthday", sa.Date),
    sa.Column("staff_notes", sa.Text, nullable=False, server_default=""),
    sa.Column("last_intake_answers", JSONB, nullable=False, server_default="{}"),
    sa.Column("anonymised_at", sa.DateTime(timezone=True)),
    _created(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("client_records_email", client_records.c.business_id, sa.func.lower(client_records.c.email))

appointments = sa.Table(
    "appointments",
    metadata,
    _id(),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column("service_id", UUID(as_uuid=True), sa.ForeignKey("services.id"), nullable=False),
    sa.Column("staff_id", UUID(as_uuid=True), sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("client_record_id", UUID(as_uuid=True), sa.ForeignKey("client_records.id"), nullable=False),
    sa.Column("email", sa.Text),  # the email the booking was made with (lower case)
    sa.Column("account_id", UUID(as_uuid=True)),  # assignment (R-A6..R-A9)
    sa.Column("assigned_how", sa.Text),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("claimable", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("booked_by", sa.Text, nullable=False),  # client | guest | staff
    sa.Column("status", sa.Text, nullable=False, server_default="booked"),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    # [start, end + buffer): the time the staff member is held.
    sa.Column("blocked", TSTZRANGE, nullable=False),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("locale", sa.Text, nullable=False, server_default="en"),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("pet", JSONB),
    sa.Column("intake_answers", JSONB, nullable=False, server_default="{}"),
    sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),  # iCalendar SEQUENCE
    sa.Column("cancel_reason", sa.Text),
    sa.Column("cancelled_by", sa.Text),
    sa.Column("manage_token_hash", sa.Text, unique=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    _created(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(
        "status IN ('booked', 'confirmed', 'cancelled', 'completed', 'no_show')", name="appointments_status"
    ),
    sa.CheckConstraint("starts_at < ends_at", name="appointments_order"),
)
sa.Index("appointments_account", appointments.c.account_id, appointments.c.starts_at)
sa.Index("appointments_business_start", appointments.c.business_id, appointments.c.starts_at)
sa.Index("appointments_email", appointments.c.org_id, appointments.c.email)

reserved_products = sa.Table(
    "reserved_products",
    metadata,
    _id(),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),
    sa.Column(
        "appointment_id", UUID(as_uuid=True), sa.ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("product_id", UUID(as_uuid=True), sa.ForeignKey("products.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    _created(),
    sa.CheckConstraint("quantity > 0", name="reserved_products_quantity"),
)

# Secret per account for its webcal:// feed; rotating replaces the secret.
calendar_feeds = sa.Table(
    "calendar_feeds",
    metadata,
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    _created(),
)
