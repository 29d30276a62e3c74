"""Benchmark: how fast the courier hands messages to an SMTP server, against plain aiosmtplib."""
