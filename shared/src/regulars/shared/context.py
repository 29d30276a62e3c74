"""Request and message context carried across HTTP and AMQP hops."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

import structlog

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
CORRELATION_ID_HEADER = "X-Correlation-ID"


def new_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str:
    """The correlation id of the work in progress, or a fresh one at the edge."""
    return correlation_id_var.get() or new_id()


def bind(
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    **log_fields: str,
) -> None:
    """Bind ids for the current task: context variables and structlog fields."""
    if correlation_id is not None:
        correlation_id_var.set(correlation_id)
        log_fields["correlation_id"] = correlation_id
    if causation_id is not None:
        causation_id_var.set(causation_id)
    structlog.contextvars.bind_contextvars(**log_fields)
