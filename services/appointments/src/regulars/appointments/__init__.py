"""Regulars appointments service: service catalog, availability, bookings and their policies, assignment to accounts, client records."""
