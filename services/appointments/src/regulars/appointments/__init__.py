"""Regulars appointments service.

Service catalog, availability, bookings and their policies, assignment to accounts, client records.
"""
