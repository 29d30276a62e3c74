"""Event and internal-API contracts, shared by producers and consumers."""

from regulars.shared.contracts.events import EVENT_REGISTRY, Event, event_model

__all__ = ["EVENT_REGISTRY", "Event", "event_model"]
