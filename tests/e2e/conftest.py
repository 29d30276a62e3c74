"""Fixtures of the end-to-end tests beyond those of ``regulars.shared.testing.plugin`` (``stack``, ``engines``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.identity.adapters.passwords import PasswordHashing
from regulars.identity.service_layer.clients import Identity
from regulars.shared.testing.infra import Stack


@pytest.fixture(scope="module")
async def ident(stack: Stack, engines: dict[str, AsyncEngine]) -> AsyncIterator[Identity]:
    """Identity's use cases on the running stack's database, its links pointing at the stack's gateway."""
    hashing = PasswordHashing()
    yield Identity(engine=engines["identity"], hashing=hashing, public_url=stack.gateway_url)
    hashing.close()
