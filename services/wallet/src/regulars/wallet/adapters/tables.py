"""The wallet service's own tables (the common ones come from the shared package).

The ledger (migration 0002): accounts with their four cached sums and a version,
append-only transactions and entries, and holds. The database itself keeps the sums:
a trigger applies each inserted entry to its account row (so a balance is the sum of its
entries by construction) and stamps the entry with the account's next version; a CHECK
on the row refuses any overdraft of an account that must not go negative; a deferred
constraint trigger refuses to commit a transaction whose debits and credits differ;
triggers refuse UPDATE and DELETE of transactions and entries. Every row carries
``org_id``: every query is scoped by tenant.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

AVAILABLE_CHECK = (
    "NOT non_negative"
    " OR (normal = 'credit' AND credits_posted - debits_posted - debits_pending >= 0)"
    " OR (normal = 'debit' AND debits_posted - credits_posted - credits_pending >= 0)"
)

ledger_accounts = sa.Table(
    "ledger_accounts",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("business_id", UUID(as_uuid=True)),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("normal", sa.Text, nullable=False),
    sa.Column("non_negative", sa.Boolean, nullable=False),
    sa.Column("debits_posted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("credits_posted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("debits_pending", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("credits_pending", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("org_id", "name", "currency", name="ledger_accounts_name"),
    sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ledger_accounts_currency"),
    sa.CheckConstraint("normal IN ('debit', 'credit')", name="ledger_accounts_normal"),
    sa.CheckConstraint(
        "debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0",
        name="ledger_accounts_sums",
    ),
    sa.CheckConstraint(AVAILABLE_CHECK, name="ledger_accounts_available"),
)

ledger_transactions = sa.Table(
    "ledger_transactions",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("business_id", UUID(as_uuid=True)),
    sa.Column("idempotency_key", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("refs", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("resolves_hold_id", UUID(as_uuid=True), sa.ForeignKey("ledger_holds.id", use_alter=True), unique=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("org_id", "idempotency_key", name="ledger_transactions_key"),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column(
        "transaction_id", UUID(as_uuid=True), sa.ForeignKey("ledger_transactions.id"), nullable=False, index=True
    ),
    sa.Column("account_id", UUID(as_uuid=True), sa.ForeignKey("ledger_accounts.id"), nullable=False),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("phase", sa.Text, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("account_version", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("account_id", "account_version", name="ledger_entries_version"),
    sa.CheckConstraint("side IN ('debit', 'credit')", name="ledger_entries_side"),
    sa.CheckConstraint("phase IN ('posted', 'pending')", name="ledger_entries_phase"),
    sa.CheckConstraint("amount > 0 OR (amount < 0 AND phase = 'pending')", name="ledger_entries_amount"),
)

ledger_holds = sa.Table(
    "ledger_holds",
    metadata,
    sa.Column("id", UUID(as_uuid=True), sa.ForeignKey("ledger_transactions.id"), primary_key=True),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("debit_account_id", UUID(as_uuid=True), sa.ForeignKey("ledger_accounts.id"), nullable=False),
    sa.Column("credit_account_id", UUID(as_uuid=True), sa.ForeignKey("ledger_accounts.id"), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("state", sa.Text, nullable=False, server_default="pending"),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("amount > 0", name="ledger_holds_amount"),
    sa.CheckConstraint("state IN ('pending', 'captured', 'released', 'expired')", name="ledger_holds_state"),
)
sa.Index(
    "ledger_holds_due",
    ledger_holds.c.expires_at,
    postgresql_where=ledger_holds.c.state == "pending",
)

# Stored cards (migration 0003): each account's customer at the payment provider, and all we keep
# of a card — the provider's token, brand, last four, expiry, fingerprint (WALLET.md). A removed
# card keeps its row (``removed_at``) for the payments that used it.
payment_customers = sa.Table(
    "payment_customers",
    metadata,
    sa.Column("org_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("account_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("provider", sa.Text, primary_key=True),
    sa.Column("customer_ref", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

stored_cards = sa.Table(
    "stored_cards",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("org_id", UUID(as_uuid=True), nullable=False),
    sa.Column("account_id", UUID(as_uuid=True), nullable=False),
    sa.Column("business_id", UUID(as_uuid=True), nullable=False),  # where it was added
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
# One card of an account per fingerprint (the same card added twice is one card), and one default.
sa.Index(
    "stored_cards_of_account",
    stored_cards.c.org_id,
    stored_cards.c.account_id,
    stored_cards.c.provider,
    stored_cards.c.fingerprint,
    unique=True,
    postgresql_where=stored_cards.c.removed_at.is_(None),
)
sa.Index(
    "stored_cards_one_default",
    stored_cards.c.org_id,
    stored_cards.c.account_id,
    unique=True,
    postgresql_where=stored_cards.c.is_default,
)
