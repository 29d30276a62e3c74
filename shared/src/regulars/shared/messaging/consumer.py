"""Event consumers: one quorum queue per consuming service and purpose.

A consumer maps routing keys to handlers. Each delivery is validated against the
event's model (an invalid or unknown message is rejected and so dead-lettered at
once), then handled in one unit of work together with its inbox record, so a
redelivered event has one effect. A handler that raises is retried (nack with
requeue, after a short pause that grows with the delivery count) until the
queue's delivery limit dead-letters it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from faststream.exceptions import RejectMessage
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared import context
from regulars.shared.contracts.events import EVENT_REGISTRY, Event, load_all_contracts
from regulars.shared.db.errors import is_transient
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.logging import describe_error
from regulars.shared.messaging.inbox import record_in_inbox
from regulars.shared.messaging.topology import ConsumerQueue

log = structlog.get_logger(__name__)

HANDLED = Counter("regulars_events_handled_total", "Events handled", ["consumer", "outcome"])

E = TypeVar("E", bound=Event)
Handler = Callable[[Any, UnitOfWork], Awaitable[None]]


class EventConsumer:
    """A named consumer (its queue has the same name) with handlers per event type."""

    def __init__(self, name: str, transient_budget_seconds: float = 300.0, transient_base_delay: float = 0.5) -> None:
        self.name = name
        self.transient_budget_seconds = transient_budget_seconds
        self.transient_base_delay = transient_base_delay
        self._handlers: dict[str, tuple[type[Event], Handler]] = {}

    def on(self, event_type: type[E]) -> Callable[[Callable[[E, UnitOfWork], Awaitable[None]]], Handler]:
        def register(fn: Callable[[E, UnitOfWork], Awaitable[None]]) -> Handler:
            self._handlers[event_type.routing_key] = (event_type, fn)
            return fn

        return register

    @property
    def queue(self) -> ConsumerQueue:
        return ConsumerQueue(self.name, tuple(sorted(self._handlers)))

    def parse(self, routing_key: str, body: bytes) -> tuple[Event, Handler]:
        """The event and its handler; ``RejectMessage`` for what can never succeed."""
        load_all_contracts()
        entry = self._handlers.get(routing_key)
        if entry is None or routing_key not in EVENT_REGISTRY:
            log.error("event_unknown", consumer=self.name, routing_key=routing_key)
            raise RejectMessage()
        model, handler = entry
        try:
            event = model.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            log.error("event_invalid", consumer=self.name, routing_key=routing_key, error=describe_error(exc)[:500])
            raise RejectMessage() from exc
        return event, handler

    async def _apply(self, engine: AsyncEngine, event: Event, handler: Handler) -> bool:
        async with UnitOfWork(engine) as uow:
            if not await record_in_inbox(uow.conn, self.name, event):
                return False
            await handler(event, uow)
        return True

    async def _apply_retrying_transient(self, engine: AsyncEngine, event: Event, handler: Handler) -> bool:
        """Apply the event; ride out passing infrastructure trouble while holding the message.

        A nack would count against the queue's delivery limit, so a database restart or
        a moment without free connections would dead-letter good events. Those errors are
        retried here, with backoff, for up to ``transient_budget_seconds``; any other error
        is raised at once (and the message is redelivered, then dead-lettered).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.transient_budget_seconds
        attempt = 0
        while True:
            try:
                return await self._apply(engine, event, handler)
            except Exception as exc:
                if not is_transient(exc) or loop.time() >= deadline:
                    raise
                attempt += 1
                delay = min(30.0, self.transient_base_delay * 2 ** (attempt - 1))
                HANDLED.labels(self.name, "transient_retry").inc()
                log.warning("event_handler_transient_failure", error=describe_error(exc)[:500], retry_in=delay)
                await asyncio.sleep(delay)

    async def handle(self, engine: AsyncEngine, routing_key: str, body: bytes, delivery_count: int = 0) -> bool:
        """Handle one delivery; True when it had an effect, False for a duplicate."""
        try:
            event, handler = self.parse(routing_key, body)
        except RejectMessage:
            HANDLED.labels(self.name, "rejected").inc()
            raise
        structlog.contextvars.clear_contextvars()
        context.bind(
            correlation_id=event.correlation_id,
            causation_id=str(event.event_id),
            event_id=str(event.event_id),
            routing_key=routing_key,
            consumer=self.name,
        )
        try:
            applied = await self._apply_retrying_transient(engine, event, handler)
        except Exception:
            HANDLED.labels(self.name, "failed").inc()
            log.exception("event_handler_failed", delivery_count=delivery_count)
            # Pause before the nack so that redeliveries are spread out in time.
            await asyncio.sleep(min(5.0, 0.2 * 2**delivery_count))
            raise
        if not applied:
            HANDLED.labels(self.name, "duplicate").inc()
            log.info("event_duplicate_ignored")
            return False
        HANDLED.labels(self.name, "ok").inc()
        log.info("event_handled")
        return True
