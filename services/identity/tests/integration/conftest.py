"""Fixtures for identity's integration tests: real PostgreSQL, use cases called with a moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.service_layer.clients import Identity


@pytest.fixture(scope="session")
async def ident(engines: dict[str, AsyncEngine]) -> AsyncIterator[Identity]:
    hashing = PasswordHashing(workers=2)
    yield Identity(engine=engines["identity"], hashing=hashing, public_url="https://clients.example.test")
    hashing.close()
