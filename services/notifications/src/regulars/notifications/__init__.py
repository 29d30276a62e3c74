"""Regulars notifications service: preferences, templates, the courier, email over SMTP and SMS."""
