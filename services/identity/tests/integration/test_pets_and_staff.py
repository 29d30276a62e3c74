"""Pets on pet businesses (R-I9) and what staff may see and set (R-I4, R-S1..R-S4)."""

from __future__ import annotations

import pytest

from regulars.identity.service_layer import auth, pets, staff
from regulars.identity.service_layer.clients import Identity
from regulars.identity.service_layer.profile import export_account
from regulars.identity.testing import (
    NOW,
    caller,
    error_of,
    make_business,
    outbox_events,
    registration,
    signed_in,
    unique_email,
)

pytestmark = pytest.mark.integration


def rex() -> pets.PetForm:
    return pets.PetForm.model_validate(
        {"name": "Rex", "species": "dog", "breed": "Beagle", "weight_kg": 12.5, "notes": "Shy with dryers"}
    )


async def test_r_i9_client_adds_edits_and_deletes_pets(ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    _client, me = await signed_in(ident, business)
    pet = await pets.add_pet(ident, me, rex(), NOW)
    assert (pet.name, pet.weight_kg) == ("Rex", 12.5)
    changed = await pets.update_pet(ident, me, pet.pet_id, pets.PetChanges(name="Rex II"), NOW)
    assert (changed.name, changed.breed) == ("Rex II", "Beagle")
    assert [p.name for p in await pets.list_pets(ident, me)] == ["Rex II"]
    await pets.delete_pet(ident, me, pet.pet_id)
    assert await pets.list_pets(ident, me) == []


async def test_r_i9_staff_only_fields_never_reach_the_client(ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    _client, me = await signed_in(ident, business)
    pet = await pets.add_pet(ident, me, rex(), NOW)
    notes = pets.StaffPetChanges(staff_notes="Bites when nails are cut", staff_fields={"muzzle": True})
    seen_by_staff = await pets.staff_update_pet(ident, business, me.account_id, pet.pet_id, notes, NOW)
    assert seen_by_staff.staff_notes == "Bites when nails are cut"
    assert seen_by_staff.staff_fields == {"muzzle": True}
    client_view = (await pets.list_pets(ident, me))[0]
    assert "staff_notes" not in client_view.model_dump()
    assert "Bites" not in client_view.model_dump_json()
    edited = await pets.update_pet(ident, me, pet.pet_id, pets.PetChanges(notes="Loves treats"), NOW)
    assert "muzzle" not in edited.model_dump_json()
    exported = await export_account(ident, me, NOW)
    assert "Bites" not in str(exported)
    assert "muzzle" not in str(exported)
    assert (await pets.staff_list_pets(ident, business, me.account_id))[0].staff_notes == "Bites when nails are cut"


async def test_r_i9_pets_only_on_pet_businesses(ident: Identity) -> None:
    salon = await make_business(ident, vertical="salon")
    _client, me = await signed_in(ident, salon)
    refused = await error_of(pets.add_pet(ident, me, rex(), NOW))
    assert (refused.status, refused.code) == (404, "pets_not_offered")


async def test_r_t4_another_clients_pet_is_not_found(ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    (_, alice), (_, bob) = await signed_in(ident, business), await signed_in(ident, business)
    pet = await pets.add_pet(ident, alice, rex(), NOW)
    for attempt in (
        pets.update_pet(ident, bob, pet.pet_id, pets.PetChanges(name="Mine"), NOW),
        pets.delete_pet(ident, bob, pet.pet_id),
    ):
        assert (await error_of(attempt)).status == 404
    assert await pets.list_pets(ident, bob) == []
    assert [p.name for p in await pets.list_pets(ident, alice)] == ["Rex"]


async def test_r_t4_staff_of_another_organization_cannot_see_or_touch_a_client(ident: Identity) -> None:
    business = await make_business(ident, vertical="pet")
    other = await make_business(ident, vertical="pet")
    _client, me = await signed_in(ident, business)
    pet = await pets.add_pet(ident, me, rex(), NOW)
    for attempt in (
        staff.client_status(ident, other.slug, account_id=me.account_id, email=None),
        pets.staff_list_pets(ident, other, me.account_id),
        pets.staff_update_pet(ident, other, me.account_id, pet.pet_id, pets.StaffPetChanges(staff_notes="x"), NOW),
    ):
        assert (await error_of(attempt)).status == 404


async def test_staff_see_whether_a_client_has_a_verified_account(ident: Identity) -> None:
    business = await make_business(ident)
    _client, me = await signed_in(ident, business)
    pending = unique_email("pending")
    await auth.register(ident, business.slug, registration(pending), caller(), NOW)
    active = await staff.client_status(ident, business.slug, account_id=me.account_id, email=None)
    assert active.status == "active"
    found = await staff.client_status(ident, business.slug, account_id=None, email=pending.upper())
    assert found.status == "unverified"
    missing = await error_of(staff.client_status(ident, business.slug, account_id=None, email=unique_email()))
    assert missing.status == 404


async def test_r_s1_to_r_s4_settings_change_emits_business_updated(ident: Identity) -> None:
    business = await make_business(ident)
    changed = await staff.change_settings(
        ident,
        business.slug,
        staff.SettingsChanges(
            client_logins="required",
            sections={"rewards": True},
            booking_policy={"cancel_window_hours": 48},
            timezone="Europe/Lisbon",
            default_locale="pt",
            currency="EUR",
        ),
    )
    assert changed.client_logins == "required"
    assert changed.sections.rewards is True
    assert changed.sections.memberships is True  # untouched
    assert changed.booking_policy.cancel_window_hours == 48
    assert (changed.timezone, changed.default_locale, changed.version) == ("Europe/Lisbon", "pt", 2)
    events = await outbox_events(ident.engine, "identity.business.updated.v1", business_id=business.business_id)
    assert sorted(events[-1]["changed"]) == ["default_locale", "settings", "timezone"]
    unknown = await error_of(staff.change_settings(ident, business.slug, staff.SettingsChanges(sections={"spa": True})))
    assert unknown.status == 422
