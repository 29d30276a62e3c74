"""What a channel adapter takes and how it fails.

An adapter raises ``TransientFailure`` for what may work later (connection
refused, 4xx) and ``PermanentFailure`` for what never will (5xx, a number the
provider rejects); the courier retries the first and abandons on the second.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


class DeliveryFailure(Exception):
    pass


class TransientFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


@dataclass(frozen=True)
class Outgoing:
    """One rendered message as the courier hands it to a channel."""

    id: uuid.UUID
    channel: str
    recipient: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)


class Transport(Protocol):
    async def send(self, message: Outgoing) -> str:
        """Deliver ``message``; returns a short description (e.g. the server's answer)."""
        ...

    async def close(self) -> None: ...
