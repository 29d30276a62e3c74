"""schemathesis over the served OpenAPI document, against the real stack: no 5xx, and every answer
conforms to the document (its status code is documented, its body matches the schema).

Bounded for ``make test`` on a small machine: a few examples per operation, derandomized (the same
cases every run, so a failure is reproducible), positive data only (schema-valid values that the
API must still refuse cleanly when they make no sense), one pass signed in as a client and one
with a business API key, each on a business of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from regulars.identity.testing import fresh_ip
from regulars.shared.testing.businesses import bookable_business, signed_up
from regulars.shared.testing.gateway import Gateway
from regulars.shared.testing.infra import Stack

pytestmark = pytest.mark.e2e

EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
Security = list[dict[str, list[str]]]


def fuzz(
    stack: Stack, slug: str, token: str, wanted: Callable[[Security], bool], *, with_token: Callable[[Security], bool]
) -> list[str]:
    """Run every wanted operation; each failure as ``METHOD /path: what``."""
    schema = schemathesis.openapi.from_url(f"{stack.gateway_url}/api/v1/openapi.json")
    failures: list[str] = []
    ip = fresh_ip()  # this pass's own address: its rate limits are its own
    with requests.Session() as http:
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # an Err raises here, as it should
            security: Security = operation.definition.raw.get("security", [])
            if not wanted(security):
                continue
            headers = {"X-Forwarded-For": ip}
            if with_token(security):
                headers["Authorization"] = f"Bearer {token}"
            try:
                _examples(stack, http, operation, slug, headers)
            except Exception as exc:  # every operation is tried; all failures are reported together
                failures.append(f"{operation.label}: {exc}")
    return failures


def _examples(stack: Stack, http: requests.Session, operation: Any, slug: str, headers: dict[str, str]) -> None:
    params = {"business": slug} if "{business}" in operation.path else {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=params))
    def run(case: Any) -> None:
        response = case.call(base_url=stack.gateway_url, session=http, headers=headers, timeout=15)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _requires(scheme: str) -> Callable[[Security], bool]:
    return lambda security: any(scheme in requirement for requirement in security)


async def test_the_client_and_public_api_conform_to_the_document(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    slug = f"fuzz-client-{run}"
    bookable_business(stack, f"fuzz-client-org-{run}", slug)
    async with aiohttp.ClientSession() as http:
        session = await signed_up(Gateway(http, stack), slug, f"fuzz-{run}@example.com")

    # The session goes only to operations that need one: sign-out and booking also take it, and
    # signing out would end it for every operation after.
    def client_or_public(security: Security) -> bool:
        return not _requires("businessApiKey")(security)

    failures = await asyncio.to_thread(
        fuzz, stack, slug, session, client_or_public, with_token=lambda s: bool(s) and {} not in s
    )
    assert not failures, "\n\n".join(failures)


async def test_the_business_api_conforms_to_the_document(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    slug = f"fuzz-business-{run}"
    key = bookable_business(stack, f"fuzz-business-org-{run}", slug)
    business_only = _requires("businessApiKey")
    failures = await asyncio.to_thread(fuzz, stack, slug, key, business_only, with_token=business_only)
    assert not failures, "\n\n".join(failures)
