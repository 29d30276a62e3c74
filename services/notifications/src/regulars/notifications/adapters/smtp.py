"""Email over SMTP (aiosmtplib): text and HTML alternatives, attachments, a small connection pool.

Connections are reused across messages (opening one per message costs a TCP
and an SMTP handshake each time); a connection that fails is discarded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from regulars.notifications.adapters.transport import Outgoing, PermanentFailure, TransientFailure
from regulars.shared.settings import Settings


def build_email(message: Outgoing, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=message.id.hex, domain=sender.rsplit("@", 1)[-1].strip("> "))
    email["X-Regulars-Message-Id"] = str(message.id)
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = str(attachment.get("content_type", "application/octet-stream")).partition("/")
        content = base64.b64decode(attachment["content_base64"])
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=attachment.get("filename"))
    return email


class SmtpMailer:
    """Sends over up to ``pool_size`` concurrent SMTP connections."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        use_tls: bool = False,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        pool_size: int = 4,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self._use_tls = use_tls
        self._starttls = starttls
        self._username = username
        self._password = password
        self._timeout = timeout
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self._slots = asyncio.Semaphore(pool_size)

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            use_tls=settings.smtp_use_tls,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout_seconds,
            pool_size=settings.courier_concurrency,
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self._use_tls,
            start_tls=self._starttls,
            username=self._username,
            password=self._password,
            timeout=self._timeout,
        )
        await client.connect()
        return client

    async def send(self, message: Outgoing) -> str:
        email = build_email(message, self.sender)
        async with self._slots:
            client: aiosmtplib.SMTP | None = None
            try:
                answer: str | None = None
                pooled = None if self._idle.empty() else self._idle.get_nowait()
                if pooled is not None and pooled.is_connected:
                    client = pooled
                    try:
                        _, answer = await client.send_message(email)
                    except aiosmtplib.SMTPServerDisconnected:
                        client = None  # the server closed an idle connection: not a failed attempt
                if answer is None:
                    client = await self._connect()
                    _, answer = await client.send_message(email)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                await self._discard(client)
                codes = [refusal.code for refusal in exc.recipients]
                failure = PermanentFailure if codes and all(500 <= c < 600 for c in codes) else TransientFailure
                raise failure(f"SMTP recipient refused: {'; '.join(str(r) for r in exc.recipients)}") from exc
            except aiosmtplib.SMTPResponseException as exc:
                await self._discard(client)
                failure = PermanentFailure if 500 <= exc.code < 600 else TransientFailure
                raise failure(f"SMTP {exc.code} {exc.message}") from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._discard(client)
                raise TransientFailure(f"SMTP {type(exc).__name__}: {exc}") from exc
            assert client is not None
            self._idle.put_nowait(client)
            return f"accepted by {self.host}:{self.port}: {answer}"

    @staticmethod
    async def _discard(client: aiosmtplib.SMTP | None) -> None:
        if client is not None and client.is_connected:
            with contextlib.suppress(Exception):
                client.close()

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            with contextlib.suppress(Exception):
                await client.quit()
