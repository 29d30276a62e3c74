"""Regulars wallet service: gift cards, packages, memberships, referrals, rewards, stored cards, payments (an append-only ledger)."""
