"""Links into a business's widget that are sent to people (emails, confirmations)."""

from __future__ import annotations

from urllib.parse import urlencode


def widget_link(public_url: str, business_slug: str, page: str = "", **query: str) -> str:
    """``{public_url}/w/{slug}/{page}?{query}``: the one place such links are spelled."""
    link = f"{public_url.rstrip('/')}/w/{business_slug}/{page}"
    return f"{link}?{urlencode(query)}" if query else link
