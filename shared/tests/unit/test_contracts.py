from __future__ import annotations

import uuid

import pytest

from regulars.shared import context
from regulars.shared.contracts.events import EVENT_REGISTRY, Event, event_model
from regulars.shared.contracts.identity import BusinessCreated, Sections

ORG = uuid.uuid4()


def test_every_registered_routing_key_follows_the_naming_rule() -> None:
    event_model("identity.business.created.v1")  # loads every contracts module
    for key in EVENT_REGISTRY:
        service, entity, verb, version = key.split(".")
        assert all((service, entity, verb))
        assert version.startswith("v")


def test_a_malformed_routing_key_is_refused_at_class_definition() -> None:
    with pytest.raises(ValueError, match="bad routing key"):

        class Bad(Event):
            routing_key = "Identity.Business.Created"


def test_a_routing_key_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        class Again(Event):
            routing_key = BusinessCreated.routing_key


def test_events_inherit_the_correlation_and_causation_of_the_work_in_progress() -> None:
    context.bind(correlation_id="corr-123", causation_id="cause-9")
    try:
        event = event_model("identity.client.deleted.v1").model_validate(
            {"org_id": str(ORG), "account_id": str(uuid.uuid4())}
        )
        assert event.correlation_id == "corr-123"
        assert event.causation_id == "cause-9"
    finally:
        context.correlation_id_var.set(None)
        context.causation_id_var.set(None)


def test_without_context_an_event_starts_a_new_correlation() -> None:
    first = event_model("identity.client.deleted.v1").model_validate({"org_id": str(ORG), "account_id": str(ORG)})
    second = event_model("identity.client.deleted.v1").model_validate({"org_id": str(ORG), "account_id": str(ORG)})
    assert first.correlation_id != second.correlation_id
    assert first.event_id != second.event_id


def test_r_s2_enabled_sections_list_only_what_is_on() -> None:
    sections = Sections(
        memberships=False, packages=True, gift_cards=False, referrals=True, rewards=False, shopping=False
    )
    assert sections.enabled() == ["packages", "referrals"]
