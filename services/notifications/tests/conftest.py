"""Fixtures for the notifications tests: a fresh migrated database and a real SMTP/SMS box per test."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.devmailbox.app import build_app
from regulars.devmailbox.store import Mailbox, SmsBox
from regulars.notifications.adapters.sms import DevSmsProvider
from regulars.notifications.adapters.smtp import SmtpMailer
from regulars.notifications.adapters.tables import dispatch_log, messages
from regulars.notifications.domain.message_types import PasswordChangedVariables
from regulars.notifications.domain.model import Preferences, RetryPolicy
from regulars.notifications.service_layer.contacts import upsert_contact
from regulars.notifications.service_layer.courier import Courier
from regulars.notifications.service_layer.messages import MessageRequest, Queued, request_message
from regulars.notifications.service_layer.preferences import set_client_preferences
from regulars.shared import clock as run_clock
from regulars.shared.contracts.identity import BusinessSettings, BusinessSnapshot
from regulars.shared.db.engine import create_database_if_missing, make_engine
from regulars.shared.db.migrations import upgrade
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.settings import Settings
from regulars.shared.tenancy import apply_snapshot
from regulars.shared.testing.infra import free_port

_numbers = itertools.count(1)


class MovableClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or run_clock.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)


@dataclass
class Harness:
    engine: AsyncEngine
    settings: Settings
    mailbox: Mailbox
    sms_box: SmsBox
    smtp_port: int
    http_url: str
    closers: list[Callable[[], Any]] = field(default_factory=list)

    async def business(
        self, locale: str = "en", timezone: str = "Europe/Rome", currency: str = "EUR"
    ) -> BusinessSnapshot:
        business_id = uuid.uuid4()
        snapshot = BusinessSnapshot(
            business_id=business_id,
            org_id=uuid.uuid4(),
            org_name="Test Org",
            client_database="per_business",
            slug=f"b-{business_id.hex[:10]}",
            name="Salon Uno",
            vertical="salon",
            timezone=timezone,
            currency=currency,
            default_locale=locale,
            settings=BusinessSettings(),
            version=1,
        )
        async with UnitOfWork(self.engine) as uow:
            await apply_snapshot(uow.conn, snapshot)
        return snapshot

    async def contact(
        self, business: BusinessSnapshot, *, locale: str | None = None, phone: str | None = None
    ) -> uuid.UUID:
        account_id = uuid.uuid4()
        async with UnitOfWork(self.engine) as uow:
            await upsert_contact(
                uow.conn,
                account_id=account_id,
                org_id=business.org_id,
                scope_business_id=business.business_id,
                at=run_clock.now(),
                email=f"c-{account_id.hex[:10]}@example.com",
                phone=phone or f"+3933{account_id.int % 10**8:08d}",
                locale=locale,
                first_name="Carla",
                last_name="Test",
            )
        return account_id

    async def set_preferences(self, account_id: uuid.UUID, business: BusinessSnapshot, prefs: Preferences) -> None:
        async with UnitOfWork(self.engine) as uow:
            await set_client_preferences(uow, business, account_id, prefs, run_clock.now())

    def message(self, business: BusinessSnapshot, account_id: uuid.UUID | None, **fields: Any) -> MessageRequest:
        """A request for a message to ``account_id`` at ``business``: a security email with a fresh dedupe key
        unless ``fields`` say otherwise."""
        values: dict[str, Any] = {
            "org_id": business.org_id, "business_id": business.business_id, "account_id": account_id,
            "variables": PasswordChangedVariables(), "category": "security", "channel": "email",
            "dedupe_key": f"test:{uuid.uuid4()}",
        }  # fmt: skip
        return MessageRequest(**(values | fields))

    async def status(self, message_id: uuid.UUID) -> str:
        async with self.engine.connect() as conn:
            return str(await conn.scalar(sa.select(messages.c.status).where(messages.c.id == message_id)))

    async def dispatch_log(self, message_id: uuid.UUID) -> list[tuple[int, str, str]]:
        """The message's dispatch log, oldest first: (attempt, outcome, detail)."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(dispatch_log.c.attempt, dispatch_log.c.outcome, dispatch_log.c.detail)
                    .where(dispatch_log.c.message_id == message_id)
                    .order_by(dispatch_log.c.id)
                )
            ).all()
        return [(row.attempt, row.outcome, row.detail) for row in rows]

    async def enqueue(self, request: MessageRequest, now: datetime | None = None) -> Queued:
        async with UnitOfWork(self.engine) as uow:
            return await request_message(uow.conn, self.settings, request, now or run_clock.now())

    def courier(
        self,
        *,
        smtp_port: int | None = None,
        clock: Callable[[], datetime] | None = None,
        policy: RetryPolicy | None = None,
        name: str | None = None,
        batch_size: int = 50,
        poll_seconds: float = 0.5,
    ) -> Courier:
        mailer = SmtpMailer("127.0.0.1", smtp_port or self.smtp_port, sender="Test <no-reply@example.com>")
        sms = DevSmsProvider(self.http_url, "+15550001111", self.settings.sms_webhook_secret)
        self.closers.extend([mailer.close, sms.close])
        return Courier(
            self.engine,
            {"email": mailer, "sms": sms},
            clock=clock or run_clock.now,
            policy=policy or RetryPolicy(max_attempts=3, base_seconds=1, max_seconds=10),
            batch_size=batch_size,
            name=name,
            poll_seconds=poll_seconds,
        )

    def mail_to(self, address: str) -> list[Any]:
        return [m for m in self.mailbox.messages if address in m.to]

    def sms_to(self, number: str) -> list[Any]:
        return [m for m in self.sms_box.messages if m.to == number]


@pytest.fixture
async def notifications_engine(test_settings: Settings) -> AsyncIterator[AsyncEngine]:
    url = test_settings.database_url_of(f"notif{next(_numbers)}")
    await create_database_if_missing(url, test_settings.db_admin_database)
    await upgrade("regulars.notifications.migrations", url, test_settings.db_admin_database)
    engine = make_engine(url, 8)
    yield engine
    await engine.dispose()


@pytest.fixture
async def harness(notifications_engine: AsyncEngine, test_settings: Settings) -> AsyncIterator[Harness]:
    mailbox, sms_box = Mailbox(), SmsBox()
    smtp_port, http_port = free_port(), free_port()
    runner = web.AppRunner(build_app(mailbox, "127.0.0.1", smtp_port, sms_box))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    settings = test_settings.model_copy(update={"smtp_port": smtp_port, "mailbox_http_port": http_port})
    made = Harness(notifications_engine, settings, mailbox, sms_box, smtp_port, f"http://127.0.0.1:{http_port}")
    yield made
    for close in made.closers:
        await close()
    await runner.cleanup()


class FlakySmtpHandler:
    """Answers 451 (try again later) to the first ``failures`` messages, then accepts into ``mailbox``."""

    def __init__(self, mailbox: Mailbox, failures: int) -> None:
        self.mailbox = mailbox
        self.failures = failures
        self.attempts = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.attempts += 1
        if self.attempts <= self.failures:
            return "451 4.3.0 Temporary failure, try again later"
        self.mailbox.add(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], envelope.original_content or b"")
        return "250 OK"


@pytest.fixture
async def flaky_smtp() -> AsyncIterator[Callable[[int], Any]]:
    servers: list[asyncio.Server] = []

    async def start(failures: int) -> tuple[int, FlakySmtpHandler, Mailbox]:
        mailbox = Mailbox()
        handler = FlakySmtpHandler(mailbox, failures)
        port = free_port()
        loop = asyncio.get_running_loop()
        servers.append(await loop.create_server(lambda: SMTP(handler), "127.0.0.1", port))
        return port, handler, mailbox

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()
