"""Regulars shared package: contracts, messaging, database, HTTP and logging."""
