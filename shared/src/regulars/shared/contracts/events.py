"""The event envelope and the registry of every event type.

Routing keys follow ``<service>.<entity>.<verb>.v<N>``. A new event is a new
subclass with a ``routing_key``; it registers itself, which is how the AsyncAPI
document and the consumers find it.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from regulars.shared import clock
from regulars.shared.context import causation_id_var, current_correlation_id

ROUTING_KEY = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+\.v[0-9]+$")

EVENT_REGISTRY: dict[str, type[Event]] = {}


def _utcnow() -> datetime:
    return clock.now()


class Event(BaseModel):
    """Every event carries who it concerns (tenant) and where it came from (ids)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    routing_key: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_utcnow)
    correlation_id: str = Field(default_factory=current_correlation_id)
    causation_id: str | None = Field(default_factory=lambda: causation_id_var.get())
    org_id: uuid.UUID
    business_id: uuid.UUID | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        key = cls.__dict__.get("routing_key")
        if key is None:
            return  # an abstract intermediate class
        if not ROUTING_KEY.match(key):
            raise ValueError(f"bad routing key {key!r} on {cls.__name__}")
        if key in EVENT_REGISTRY and EVENT_REGISTRY[key] is not cls:
            raise ValueError(f"routing key {key!r} registered twice")
        EVENT_REGISTRY[key] = cls


def event_model(routing_key: str) -> type[Event]:
    """The model for a routing key; ``KeyError`` when none is registered."""
    load_all_contracts()
    return EVENT_REGISTRY[routing_key]


def load_all_contracts() -> None:
    """Import every contracts module so the registry is complete."""
    from regulars.shared.contracts import (
        appointments,  # noqa: F401
        identity,  # noqa: F401
        notifications,  # noqa: F401
    )
