"""Signed, single-purpose tokens for unsubscribe links.

A token is ``<payload>.<signature>``: the payload is base64url JSON naming what it
unsubscribes (account, business, channel, category); the signature is an HMAC
with a key derived from the signing key *and the purpose*, so a token made for
one purpose is worthless for any other. Unsubscribing is idempotent, so a token
may be used again (mail clients retry one-click POSTs).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from regulars.notifications.domain.errors import InvalidToken
from regulars.notifications.domain.model import CHANNELS, PREFERENCE_CATEGORIES, Channel, PreferenceCategory

UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class UnsubscribeToken:
    account_id: uuid.UUID
    business_id: uuid.UUID
    channel: Channel
    category: PreferenceCategory


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"regulars.notifications.{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_unsubscribe(secret: str, token: UnsubscribeToken) -> str:
    payload = json.dumps(
        {"a": str(token.account_id), "b": str(token.business_id), "c": token.channel, "k": token.category},
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    signature = hmac.new(_key(secret, UNSUBSCRIBE), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


def verify_unsubscribe(secret: str, token: str) -> UnsubscribeToken:
    """The token's content; ``InvalidToken`` when it is malformed, forged or for another purpose."""
    try:
        body, signature = token.split(".")
        expected = hmac.new(_key(secret, UNSUBSCRIBE), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            raise InvalidToken("bad signature")
        data = json.loads(_unb64(body))
        channel, category = data["c"], data["k"]
        if channel not in CHANNELS or category not in PREFERENCE_CATEGORIES:
            raise InvalidToken("bad content")
        return UnsubscribeToken(uuid.UUID(data["a"]), uuid.UUID(data["b"]), channel, category)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken("malformed") from exc
