"""Regulars gateway: the only public entry."""
