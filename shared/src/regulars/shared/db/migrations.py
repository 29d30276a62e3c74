"""Per-service Alembic migrations, run by an explicit ``migrate`` command.

Each service keeps its revisions in ``regulars.<service>.migrations`` with an
``env.py`` that calls ``run_env(metadata)``. No ``alembic.ini`` is needed: the
configuration is built here from the service's settings.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

from regulars.shared.db.engine import create_database_if_missing


def alembic_config(migrations_package: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files(migrations_package)))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(migrations_package: str, url: str, admin_database: str = "postgres") -> None:
    """Create the database if it is missing, then migrate it to the newest revision."""
    await create_database_if_missing(url, admin_database)
    # Alembic is synchronous and env.py runs its own event loop: give it a thread.
    await asyncio.to_thread(command.upgrade, alembic_config(migrations_package, url), "head")


def run_env(target_metadata: sa.MetaData) -> None:
    """The body of every service's ``env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None

    def run(connection: sa.Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, hide_parameters=True)
        try:
            async with engine.connect() as conn:
                await conn.run_sync(run)
                await conn.commit()
        finally:
            await engine.dispose()

    asyncio.run(main())
