"""Telling passing infrastructure trouble from errors that will happen again."""

from __future__ import annotations

import asyncpg
import sqlalchemy.exc

# Failures that say nothing about the work itself: the database was unreachable,
# out of connection slots, restarting, or chose this transaction as a deadlock or
# serialization victim. Trying the same work again later is the right answer.
_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionError
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InsufficientResourcesError,  # e.g. too many connections
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # no pooled connection free in time
)


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is passing infrastructure trouble."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _TRANSIENT):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        stack += [current.__cause__, current.__context__, getattr(current, "orig", None)]
    return False
