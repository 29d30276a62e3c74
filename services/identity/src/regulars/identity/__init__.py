"""Regulars identity service."""
