"""What is stored of a secret handed out (session and link tokens, API keys, manage links, feeds).

Every such secret carries at least 128 random bits, so a fast hash is right (nothing to
guess, unlike a password) and a stolen table gives nothing usable."""

from __future__ import annotations

import hashlib


def token_digest(secret: str) -> bytes:
    """SHA-256 of the secret: the only form in which it is stored or looked up."""
    return hashlib.sha256(secret.encode()).digest()
