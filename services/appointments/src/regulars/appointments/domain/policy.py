"""What a client may do with a booking now, until when, and why not (R-A2, R-A3, R-S3).

The business's clock decides: callers pass ``now`` (injected), never read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from regulars.shared.contracts.identity import BookingPolicy

Status = Literal["booked", "confirmed", "cancelled", "completed", "no_show"]
ACTIVE: tuple[Status, ...] = ("booked", "confirmed")
Action = Literal["confirm", "reschedule", "cancel", "rebook", "add_to_calendar", "reserve_product"]
ACTIONS: tuple[Action, ...] = ("confirm", "reschedule", "cancel", "rebook", "add_to_calendar", "reserve_product")


@dataclass(frozen=True)
class ActionRule:
    action: Action
    allowed: bool
    until: datetime | None = None
    reason: str | None = None  # a stable code when not allowed
    fee_minor: int | None = None


@dataclass(frozen=True)
class BookingFacts:
    status: Status
    starts_at: datetime
    online_booking: bool  # whether the service can still be booked online (rebook)


def evaluate(facts: BookingFacts, policy: BookingPolicy, now: datetime) -> dict[Action, ActionRule]:
    """Every client action with whether it is allowed at ``now``."""
    upcoming = facts.status in ACTIVE and facts.starts_at > now
    rules: dict[Action, ActionRule] = {}

    def not_open(action: Action) -> ActionRule | None:
        if facts.status == "cancelled":
            return ActionRule(action, False, reason="booking_cancelled")
        if facts.status in ("completed", "no_show") or facts.starts_at <= now:
            return ActionRule(action, False, reason="booking_in_past")
        return None

    rules["confirm"] = not_open("confirm") or (
        ActionRule("confirm", False, reason="already_confirmed")
        if facts.status == "confirmed"
        else ActionRule("confirm", True, until=facts.starts_at)
    )
    rules["reschedule"] = not_open("reschedule") or _windowed(
        "reschedule", policy.online_reschedule, policy.reschedule_window_hours, facts.starts_at, now
    )
    rules["cancel"] = not_open("cancel") or _windowed(
        "cancel", policy.online_cancel, policy.cancel_window_hours, facts.starts_at, now
    )
    rules["rebook"] = (
        ActionRule("rebook", True)
        if facts.online_booking
        else ActionRule("rebook", False, reason="not_bookable_online")
    )
    rules["add_to_calendar"] = (
        ActionRule("add_to_calendar", True, until=facts.starts_at)
        if upcoming
        else ActionRule(
            "add_to_calendar", False, reason="booking_cancelled" if facts.status == "cancelled" else "booking_in_past"
        )
    )
    rules["reserve_product"] = not_open("reserve_product") or ActionRule("reserve_product", True, until=facts.starts_at)
    return rules


def _windowed(action: Action, online: bool, window_hours: int, starts_at: datetime, now: datetime) -> ActionRule:
    until = starts_at - timedelta(hours=window_hours)
    if not online:
        return ActionRule(action, False, reason=f"online_{action}_disabled")
    if now >= until:
        return ActionRule(action, False, until=until, reason="inside_policy_window")
    return ActionRule(action, True, until=until, fee_minor=None)
