"""pytest fixtures for every test suite of the repository (loaded with ``-p``).

- ``test_settings``: settings isolated for this run (own databases, own vhost).
- ``migrated``: every service's database created and migrated, queues declared.
- ``engines``: an engine per service database.
- ``scratch_engine``: a fresh database with only the common tables, for tests of
  the messaging machinery itself.
- ``stack``: every process started as a subprocess, ready.
- ``localstripe``: only the dev Stripe (localstripe) started, for the payment adapter's tests;
  the settings that point at it.

``--simulated-now MOMENT`` runs the session at another moment (``testing/moments.py``):
the test process's clock and every process it starts read it (``regulars.shared.clock``).
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared import clock
from regulars.shared.db.engine import create_database_if_missing, make_engine
from regulars.shared.db.migrations import upgrade
from regulars.shared.db.tables import create_common_tables
from regulars.shared.messaging.runtime import declare_queues
from regulars.shared.settings import SERVICES, Settings
from regulars.shared.testing import moments
from regulars.shared.testing.infra import (
    Stack,
    create_vhost,
    delete_vhost,
    drop_databases,
    isolated_settings,
)

_scratch_numbers = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--simulated-now",
        default=None,
        help="run at another moment: " + ", ".join(sorted(moments.NAMED)) + ", or an ISO 8601 time with an offset",
    )


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--simulated-now")
    if chosen:
        moment = moments.resolve(chosen)
        clock.set_offset(timedelta(seconds=clock.offset_to(moment)))


def pytest_report_header(config: pytest.Config) -> str | None:
    if clock.offset():
        return f"simulated now: {clock.now().astimezone(moments.MADRID).isoformat(timespec='minutes')} (Europe/Madrid)"
    return None


@pytest.fixture(scope="session")
async def test_settings() -> AsyncIterator[Settings]:
    settings = isolated_settings()
    create_vhost(settings)
    try:
        yield settings
    finally:
        await drop_databases(settings)
        delete_vhost(settings)


@pytest.fixture(scope="session")
async def migrated(test_settings: Settings) -> Settings:
    for service in SERVICES:
        spec = importlib.import_module(f"regulars.{service}.service").SERVICE
        await upgrade(spec.migrations, test_settings.database_url_of(service), test_settings.db_admin_database)
        await declare_queues(test_settings, spec.consumers(test_settings))
    return test_settings


@pytest.fixture(scope="session")
async def engines(migrated: Settings) -> AsyncIterator[dict[str, AsyncEngine]]:
    made = {service: make_engine(migrated.database_url_of(service), 2) for service in SERVICES}
    yield made
    for engine in made.values():
        await engine.dispose()


@pytest.fixture
async def scratch_engine(test_settings: Settings) -> AsyncIterator[AsyncEngine]:
    url = test_settings.database_url_of(f"scratch{next(_scratch_numbers)}")
    await create_database_if_missing(url, test_settings.db_admin_database)
    engine = make_engine(url, 4)
    async with engine.begin() as conn:
        await conn.run_sync(create_common_tables)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def stack_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack-logs")


@pytest.fixture(scope="session")
async def stack(migrated: Settings, stack_logs: Path) -> AsyncIterator[Stack]:
    running = Stack(migrated, stack_logs)
    running.start_all()
    try:
        await running.wait_ready()
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="session")
async def localstripe(test_settings: Settings, stack_logs: Path) -> AsyncIterator[Settings]:
    alone = Stack(test_settings, stack_logs)
    alone.start("localstripe")
    try:
        await alone.wait_ready()
        yield test_settings.model_copy(update={"localstripe_port": alone.settings.localstripe_port})
    finally:
        alone.stop_all()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Cheap tests first, so a broken unit test fails in seconds, not after the stack starts.
    order = {"unit": 0, "contract": 1, "integration": 2, "e2e": 3, "browser": 4}

    def rank(item: pytest.Item) -> int:
        parts = Path(str(item.fspath)).parts
        return min((order[p] for p in parts if p in order), default=2)

    items.sort(key=rank)
