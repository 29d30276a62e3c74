"""Businesses for end-to-end tests, made the way an operator makes them (identity's operator commands)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import aiohttp

from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack, identity_cli
from regulars.shared.testing.waiting import eventually


def create_business(
    stack: Stack,
    slug: str,
    *,
    org: str | None = None,
    org_name: str = "Org",
    name: str | None = None,
    timezone: str = "Europe/Madrid",
    currency: str = "EUR",
    vertical: str | None = None,
    locale: str | None = None,
    client_database: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``businesses create`` for ``slug`` (in organization ``org-<slug>`` unless told); what the command printed."""
    args = ["businesses", "create", "--org", org or f"org-{slug}", "--org-name", org_name, "--slug", slug]
    args += ["--name", name or f"Salon {slug}", "--timezone", timezone, "--currency", currency]
    for flag, value in (("--vertical", vertical), ("--locale", locale), ("--client-database", client_database)):
        if value:
            args += [flag, value]
    if settings:
        args += ["--settings-json", json.dumps(settings)]
    return identity_cli(stack, *args)


def create_api_key(stack: Stack, slug: str) -> str:
    """A new business API key for ``slug`` (shown once)."""
    return str(identity_cli(stack, "api-keys", "create", "--business", slug)["key"])


async def wait_until_served(stack: Stack, slug: str, timeout: float = 20.0) -> None:
    """The gateway learns of a new business from identity; wait until its public profile answers."""
    async with aiohttp.ClientSession() as http:

        async def served() -> bool:
            async with http.get(f"{stack.gateway_url}/api/v1/b/{slug}") as response:
                return response.status == 200

        await eventually(served, timeout=timeout, every=0.2)


PASSWORD = "a-long-unusual-passphrase-9"


def bookable_business(stack: Stack, org: str, slug: str, client_database: str = "global") -> str:
    """A Madrid salon that can be cancelled 24 h and rescheduled 12 h ahead; its API key."""
    create_business(
        stack, slug, org=org, org_name=org, client_database=client_database,
        settings={"booking_policy": {"cancel_window_hours": 24, "reschedule_window_hours": 12}},
    )  # fmt: skip
    return create_api_key(stack, slug)


def fresh_bookable_business(stack: Stack, name: str, client_database: str = "global") -> tuple[str, str]:
    """A new ``bookable_business`` of its own organization: its slug (``<name>-<6 hex>``) and API key."""
    slug = f"{name}-{uuid.uuid4().hex[:6]}"
    return slug, bookable_business(stack, f"{slug}-org", slug, client_database)


async def catalog(gw: Gateway, slug: str, key: str) -> str:
    """One stylist working all day every day, one 45-minute service; the service id."""
    base = f"/api/v1/admin/businesses/{slug}"

    async def staff_created() -> Any:
        status, body = await gw.call("POST", base + "/staff", token=key, json={"name": "Ana"})
        return body if status == 201 else None  # 404 until the business reached appointments

    staff = await eventually(staff_created)
    staff_id = staff["staff"]["id"]
    blocks = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in range(7)]
    status, body = await gw.call("PUT", f"{base}/staff/{staff_id}/hours", token=key, json={"blocks": blocks})
    assert status == 200, body
    status, body = await gw.call(
        "POST", base + "/services", token=key,
        json={"name": "Haircut", "duration_minutes": 45, "price_minor": 3000, "currency": "EUR",
              "staff_ids": [staff_id]},
    )  # fmt: skip
    assert status == 201, body
    return str(body["service"]["id"])


def guest(email: str) -> dict[str, str]:
    """A guest's details for a booking."""
    return {"first_name": "Gala", "last_name": "Invitada", "email": email, "phone": "+34 600 123 456"}


async def register(gw: Gateway, slug: str, email: str, **form: Any) -> None:
    """Sign ``email`` up at ``slug`` (``PASSWORD``, "Bo Client" unless ``form`` says otherwise): retried while the
    new business has not reached identity yet (404), until the verification email is on its way (202)."""
    body = {"email": email, "password": PASSWORD, "first_name": "Bo", "last_name": "Client", **form}

    async def accepted() -> bool:
        status, answer = await gw.call("POST", f"/api/v1/b/{slug}/auth/register", json=body)
        assert status in (202, 404), answer
        return status == 202

    await eventually(accepted)


async def verified(gw: Gateway, slug: str, email: str, subject_has: str = "confirm") -> dict[str, Any]:
    """The answer to the verification link mailed to ``email`` (its subject holding ``subject_has``, any case):
    the account and its session."""
    mail = (await eventually(lambda: gw.mail(email, subject_has)))[0]
    token = re.search(r"verify\?token=([^\s&\"<]+)", mail["text"])
    assert token is not None
    status, signed = await gw.call("POST", f"/api/v1/b/{slug}/auth/verify", json={"token": token[1]})
    assert status == 200, signed
    return dict(signed)


async def signed_up(gw: Gateway, slug: str, email: str, first_name: str = "Bo", last_name: str = "Client") -> str:
    """A verified client account at ``slug`` (registered, verified from its email); its session token."""
    await register(gw, slug, email, first_name=first_name, last_name=last_name, locale="en")
    return str((await verified(gw, slug, email))["session"]["token"])
