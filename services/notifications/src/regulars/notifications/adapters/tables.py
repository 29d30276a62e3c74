"""The notifications service's own tables (the common ones come from the shared package)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

# What we know about a client to reach them, kept from identity's client events.
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    # NULL: the account belongs to the organization (client database "global").
    sa.Column("scope_business_id", UUID(as_uuid=True)),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("locale", sa.Text),
    sa.Column("first_name", sa.Text, nullable=False, server_default=""),
    sa.Column("last_name", sa.Text, nullable=False, server_default=""),
    sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
sa.Index("contacts_org", contacts.c.org_id)
sa.Index("contacts_phone", contacts.c.phone)

# One row per account x business x channel x category that was ever set; a missing
# row means the default (transactional on, marketing off).
preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("business_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("category", sa.Text, primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # sign_up, client, unsubscribe_link, sms_stop
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms')", name="preferences_channel"),
    sa.CheckConstraint("category IN ('transactional', 'marketing')", name="preferences_category"),
)

# Every outgoing message, rendered once, with its state machine (see domain.model.Status).
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("business_id", UUID(as_uuid=True)),
    sa.Column("account_id", UUID(as_uuid=True)),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("locale", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    # False: the courier addresses the account's contact as it is at send time (domain.model.recipient_is_fixed).
    sa.Column("recipient_fixed", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("subject", sa.Text, nullable=False, server_default=""),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text),
    sa.Column("headers", JSONB, nullable=False, server_default="{}"),
    sa.Column("attachments", JSONB, nullable=False, server_default="[]"),
    # Messages not bound to one address: the variables and business context they are rendered
    # from, so the courier renders them again in the account's language and name at send time.
    sa.Column("render_inputs", JSONB),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    # What the message is about (e.g. "appointment:<id>"); voiding it drops the message.
    sa.Column("subject_ref", sa.Text),
    # At most one message per source event and channel: a duplicate event adds nothing.
    sa.Column("dedupe_key", sa.Text, nullable=False, unique=True),
    sa.Column("correlation_id", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint(
        "status IN ('queued', 'sending', 'sent', 'failed', 'abandoned', 'suppressed', 'dropped')",
        name="messages_status",
    ),
)
# The courier's claim reads only messages that can still go out, oldest first.
sa.Index(
    "messages_claimable",
    messages.c.next_attempt_at,
    postgresql_where=messages.c.status.in_(("queued", "failed", "sending")),
)
sa.Index("messages_business", messages.c.business_id, messages.c.created_at)
sa.Index("messages_subject", messages.c.org_id, messages.c.subject_ref)

# One row per decision or attempt: why a message went, did not go, or failed.
dispatch_log = sa.Table(
    "dispatch_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("message_id", UUID(as_uuid=True), sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),  # sent, failed, abandoned, suppressed, dropped, queued
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("courier", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index("dispatch_log_message", dispatch_log.c.message_id, dispatch_log.c.id)

# Subjects that were cancelled: messages about them are dropped, even ones queued later.
voided_subjects = sa.Table(
    "voided_subjects",
    metadata,
    sa.Column("org_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("subject_ref", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
)


# Inbound SMS received through a provider webhook (STOP / START and anything else).
inbound_sms = sa.Table(
    "inbound_sms",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("provider", sa.Text, nullable=False),
    sa.Column("provider_message_id", sa.Text, unique=True),
    sa.Column("from_number", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)
