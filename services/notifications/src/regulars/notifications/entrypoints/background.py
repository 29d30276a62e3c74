"""The courier as a background task of the service process (one per replica)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.notifications.adapters.sms import SmsProvider, build_sms_provider
from regulars.notifications.adapters.smtp import SmtpMailer
from regulars.notifications.domain.model import RetryPolicy
from regulars.notifications.service_layer.courier import Courier
from regulars.shared.service import ENGINE, SETTINGS
from regulars.shared.settings import Settings

COURIER = web.AppKey("courier", Courier)
SMS_PROVIDER = web.AppKey("sms_provider", SmsProvider)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.courier_max_attempts,
        base_seconds=settings.courier_backoff_base_seconds,
        max_seconds=settings.courier_backoff_max_seconds,
    )


async def courier_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    mailer = SmtpMailer.from_settings(settings)
    sms = build_sms_provider(settings)
    courier = Courier(
        app[ENGINE],
        {"email": mailer, "sms": sms},
        policy=retry_policy(settings),
        batch_size=settings.courier_batch_size,
        lease_seconds=settings.courier_lease_seconds,
        poll_seconds=settings.courier_poll_seconds,
    )
    app[COURIER] = courier
    app[SMS_PROVIDER] = sms
    task = asyncio.create_task(courier.run(), name="courier")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await mailer.close()
    await sms.close()


async def dispatch_due_job(engine: AsyncEngine, settings: Settings, as_of: datetime) -> dict[str, Any]:
    """``jobs run dispatch-due [--as-of ISO]``: one courier pass over everything due at ``as_of``.

    The running services do this continuously; the job is for operators (flush a
    backlog, or send what will be due at a given time when checking scheduled sends).
    """
    mailer = SmtpMailer.from_settings(settings)
    sms = build_sms_provider(settings)
    courier = Courier(
        engine,
        {"email": mailer, "sms": sms},
        clock=lambda: as_of,
        policy=retry_policy(settings),
        batch_size=settings.courier_batch_size,
        lease_seconds=settings.courier_lease_seconds,
        name="courier-job",
    )
    try:
        claimed = await courier.drain(max_passes=10_000)
    finally:
        await mailer.close()
        await sms.close()
    return {"claimed": claimed}
