from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy.exc

from regulars.shared.db.errors import is_transient


def wrapped(cause: BaseException) -> sqlalchemy.exc.DBAPIError:
    """What SQLAlchemy raises for a driver error: the driver's error hangs below it."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("adapted")) from inner
    except sqlalchemy.exc.DBAPIError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        wrapped(asyncpg.exceptions.TooManyConnectionsError("remaining connection slots are reserved")),
        wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        wrapped(asyncpg.exceptions.SerializationError("could not serialize access")),
        sqlalchemy.exc.TimeoutError("QueuePool limit reached"),
    ],
)
def test_passing_infrastructure_trouble_is_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad data"),
        KeyError("missing"),
        wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
        wrapped(asyncpg.exceptions.UndefinedTableError("no such table")),
    ],
)
def test_errors_in_the_work_itself_are_not_transient(error: BaseException) -> None:
    assert not is_transient(error)
