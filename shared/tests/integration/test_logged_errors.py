"""What a failed statement leaves in the log: the statement and what PostgreSQL names, never a value.

Real PostgreSQL errors through the house engine and the house log configuration: a unique
violation (its DETAIL quotes the key), a check violation (its DETAIL quotes the whole row), a
value the driver refuses (its message quotes the value), and a pydantic error (it quotes its input).
"""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import structlog
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from regulars.shared.logging import configure_logging, describe_error

pytestmark = pytest.mark.integration

SECRET_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0c2FsdA$c2VjcmV0aGFzaHZhbHVl"
EMAIL = "leaky.person@example.com"


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    configure_logging("INFO", json=True)
    yield out
    structlog.reset_defaults()
    logging.getLogger().handlers[:] = []


async def _failing(engine: AsyncEngine, statement: sa.Executable) -> DBAPIError:
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS leaky (email text UNIQUE, password_hash text,"
                " CONSTRAINT leaky_refuses_hashes CHECK (password_hash NOT LIKE '$argon2id$%'))"
            )
        )
        await conn.execute(sa.text("DELETE FROM leaky"))
        await conn.execute(sa.text("INSERT INTO leaky VALUES (:e, 'x')"), {"e": EMAIL})
    with pytest.raises(DBAPIError) as caught:
        async with engine.begin() as conn:
            await conn.execute(statement)
    return caught.value


STATEMENTS = {
    "unique_violation": sa.text("INSERT INTO leaky VALUES (:e, :h)").bindparams(e=EMAIL, h="x"),
    "check_violation": sa.text("INSERT INTO leaky VALUES (:e, :h)").bindparams(e="other@example.com", h=SECRET_HASH),
    "refused_by_driver": sa.text("SELECT CAST(:v AS integer)").bindparams(v=EMAIL),
}


@pytest.mark.parametrize("case", sorted(STATEMENTS))
async def test_a_failed_statement_is_logged_without_its_values(
    scratch_engine: AsyncEngine, log_lines: io.StringIO, case: str
) -> None:
    error = await _failing(scratch_engine, STATEMENTS[case])
    assert EMAIL in str(error) or SECRET_HASH in str(error) or "leaky" in str(error)  # the raw text holds them
    try:
        raise RuntimeError("booking failed") from error
    except RuntimeError:
        structlog.get_logger("test").exception("unhandled_error")
    logging.getLogger("aiohttp.server").error("Error handling request", exc_info=error)

    text = log_lines.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 2
    assert "Traceback (most recent call last)" in records[0]["exception"]
    assert records[1]["event"] == "Error handling request"
    assert "Traceback" in records[1]["exception"]
    assert "RuntimeError: booking failed" in records[0]["exception"]
    assert EMAIL not in text
    assert SECRET_HASH not in text
    assert "other@example.com" not in text
    assert "Failing row" not in text
    assert "DETAIL" not in text
    if case != "refused_by_driver":
        assert "leaky" in records[0]["exception"]  # the table and constraint are still named
    assert "[SQL: " in describe_error(error)


def test_a_validation_error_names_fields_not_inputs() -> None:
    class Card(BaseModel):
        number: int
        holder: str

    with pytest.raises(ValidationError) as caught:
        Card.model_validate({"number": "4242 4242 4242 4242 x", "holder": 7})
    told = describe_error(caught.value)
    assert "4242" not in told
    assert told == "ValidationError: 2 invalid (number: int_parsing; holder: string_type)"


def test_other_errors_keep_their_message() -> None:
    assert describe_error(ConnectionRefusedError(111, "Connect call failed")) == (
        "ConnectionRefusedError: [Errno 111] Connect call failed"
    )
    assert describe_error(TimeoutError()) == "TimeoutError"
    assert describe_error(KeyError(uuid.UUID(int=0).hex[:4])) == "KeyError: '0000'"
