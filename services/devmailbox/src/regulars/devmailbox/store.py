"""Received mail, parsed once and kept in memory (newest first)."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class StoredMessage:
    id: str
    mail_from: str
    to: list[str]
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    attachments: list[dict[str, Any]]
    received_at: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("mail_from")
        return data


def _parts(message: EmailMessage) -> tuple[str, str, list[dict[str, Any]]]:
    text = html = ""
    attachments: list[dict[str, Any]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if disposition == "attachment" or (content_type not in ("text/plain", "text/html")):
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            attachments.append(
                {
                    "filename": part.get_filename(),
                    "content_type": content_type,
                    "size": len(payload),
                    "content": payload.decode("utf-8", "replace") if part.get_content_maintype() == "text" else None,
                }
            )
        elif content_type == "text/plain" and not text:
            text = str(part.get_content())
        elif content_type == "text/html" and not html:
            html = str(part.get_content())
    return text, html, attachments


def _received_at() -> str:
    # The wall clock: when the mailbox got it, not a business's "now".
    return datetime.now(UTC).isoformat()


@dataclass
class _Box(Generic[T]):
    """The newest ``limit`` of what was received, newest first, numbered from 1."""

    limit: int = 2000
    messages: deque[T] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _next_id(self) -> str:
        return str(next(self._ids))

    def _keep(self, stored: T) -> T:
        self.messages.appendleft(stored)
        while len(self.messages) > self.limit:
            self.messages.pop()
        return stored

    def clear(self) -> None:
        self.messages.clear()


@dataclass
class Mailbox(_Box[StoredMessage]):
    def add(self, mail_from: str, rcpt_tos: list[str], data: bytes) -> StoredMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        text, html, attachments = _parts(parsed)
        return self._keep(
            StoredMessage(
                id=self._next_id(),
                mail_from=mail_from,
                to=list(rcpt_tos),
                subject=str(parsed.get("Subject", "")),
                text=text,
                html=html,
                headers={k: str(v) for k, v in parsed.items()},
                attachments=attachments,
                received_at=_received_at(),
            )
        )

    def find(self, message_id: str) -> StoredMessage | None:
        return next((m for m in self.messages if m.id == message_id), None)


@dataclass
class StoredSms:
    id: str
    to: str
    sender: str
    body: str
    message_id: str | None
    received_at: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("sender")
        return data


@dataclass
class SmsBox(_Box[StoredSms]):
    """Text messages from the development SMS provider (newest first)."""

    def add(self, to: str, sender: str, body: str, message_id: str | None) -> StoredSms:
        return self._keep(
            StoredSms(
                id=self._next_id(), to=to, sender=sender, body=body, message_id=message_id, received_at=_received_at()
            )
        )
