"""Engines and database creation."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    # pool_pre_ping: a pooled connection broken by a PostgreSQL restart is replaced,
    # not handed out, so the service recovers by itself. hide_parameters: an error's text
    # names the statement, never its values (password hashes, emails, names reach the logs).
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """A plain libpq DSN for asyncpg (LISTEN/NOTIFY, administration)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def create_database_if_missing(url: str, admin_database: str = "postgres") -> bool:
    """Create the database named in ``url``; True when it was created."""
    name = make_url(url).database
    if not name:
        raise ValueError("database URL names no database")
    conn = await asyncpg.connect(asyncpg_dsn(url, admin_database))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            return False  # created concurrently by another migrate
        return True
    finally:
        await conn.close()


async def drop_database(url: str, admin_database: str = "postgres") -> None:
    name = make_url(url).database
    conn = await asyncpg.connect(asyncpg_dsn(url, admin_database))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


__all__ = ["asyncpg_dsn", "create_database_if_missing", "drop_database", "make_engine", "ping", "text"]
