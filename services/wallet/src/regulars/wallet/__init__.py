"""Regulars wallet service.

Gift cards, packages, memberships, referrals, rewards, stored cards, payments (an append-only ledger).
"""
