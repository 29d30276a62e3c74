"""Client actions and the business's policy windows, with an injected clock (R-A2, R-A3, R-S3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regulars.appointments.domain.policy import BookingFacts, evaluate
from regulars.shared.contracts.identity import BookingPolicy

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def facts(status: str = "booked", online: bool = True) -> BookingFacts:
    return BookingFacts(status=status, starts_at=START, online_booking=online)  # type: ignore[arg-type]


def test_r_a3_cancel_allowed_until_window_then_refused_with_until() -> None:
    policy = BookingPolicy(cancel_window_hours=24, reschedule_window_hours=12)
    early = evaluate(facts(), policy, START - timedelta(hours=25))
    assert early["cancel"].allowed
    assert early["cancel"].until == START - timedelta(hours=24)
    late = evaluate(facts(), policy, START - timedelta(hours=23))
    assert not late["cancel"].allowed
    assert late["cancel"].reason == "inside_policy_window"
    assert late["cancel"].until == START - timedelta(hours=24)
    # The reschedule window is separate: 12 hours.
    assert late["reschedule"].allowed
    assert late["reschedule"].until == START - timedelta(hours=12)


def test_r_s3_online_cancel_disabled_by_business() -> None:
    policy = BookingPolicy(online_cancel=False, online_reschedule=False)
    rules = evaluate(facts(), policy, START - timedelta(days=10))
    assert rules["cancel"].reason == "online_cancel_disabled"
    assert rules["reschedule"].reason == "online_reschedule_disabled"
    assert rules["confirm"].allowed


def test_r_a2_past_and_cancelled_bookings_offer_rebook_only() -> None:
    policy = BookingPolicy()
    past = evaluate(facts("completed"), policy, START + timedelta(hours=2))
    assert [a for a, r in past.items() if r.allowed] == ["rebook"]
    assert past["cancel"].reason == "booking_in_past"
    cancelled = evaluate(facts("cancelled"), policy, START - timedelta(days=3))
    assert cancelled["reschedule"].reason == "booking_cancelled"
    assert cancelled["add_to_calendar"].reason == "booking_cancelled"
    assert cancelled["rebook"].allowed
    not_online = evaluate(facts("completed", online=False), policy, START + timedelta(hours=2))
    assert not_online["rebook"].reason == "not_bookable_online"


def test_r_a2_confirm_once() -> None:
    rules = evaluate(facts("confirmed"), BookingPolicy(), START - timedelta(days=3))
    assert rules["confirm"].reason == "already_confirmed"
    assert rules["add_to_calendar"].allowed
