"""Secrets handed to clients: session tokens, one-time links and codes.

Every secret carries at least 128 random bits (``token_urlsafe(32)``: 256) and
only its SHA-256 is stored: a stolen table gives nothing usable. A fast hash is
right here, unlike for passwords, because there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Literal

from regulars.shared.tokens import token_digest

TokenPurpose = Literal["verify_email", "password_reset", "email_change", "sign_in"]

SESSION_PREFIX = "rgs_"
LINK_PREFIX = "rgt_"

# How long a one-time link works. Verification: 48 h, well inside the 7 days an
# unverified account lives (R-I3), and a new one is a click away (resend).
LIFETIMES: dict[TokenPurpose, timedelta] = {
    "verify_email": timedelta(hours=48),
    "password_reset": timedelta(hours=1),
    "email_change": timedelta(hours=24),
    # Emailed sign-in (the way in while the per-account ceiling holds): short, like a reset.
    "sign_in": timedelta(minutes=30),
}
CODE_DIGITS = 6
CODE_MAX_ATTEMPTS = 5  # wrong codes before an emailed code stops working (the link still works)


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


digest = token_digest


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(token_hash: bytes, code: str) -> bytes:
    # Bound to its token, so equal codes of two accounts have unrelated digests.
    return hashlib.sha256(token_hash + b":" + code.encode()).digest()
