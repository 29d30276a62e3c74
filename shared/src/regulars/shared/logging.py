"""structlog set-up: JSON lines when not on a terminal, readable console otherwise.

What a log line may hold: no SQL parameters (engines hide them, ``db/engine.py``), and no
message of a database or validation error, which quotes the values it refused (PostgreSQL's
``DETAIL: Key (email)=(…) already exists``, ``Failing row contains (…)`` with a password hash,
pydantic's ``input_value=…``). ``describe_error`` says what failed without them, and every
logged traceback goes through it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import StatementError

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"
# Where PostgreSQL names what failed: enough to find it, and never a value.
_PG_NAMES = ("sqlstate", "schema_name", "table_name", "column_name", "constraint_name")


def _quotes_values(exc: BaseException) -> bool:
    """Errors whose message may quote the data they were given (asyncpg, its SQLAlchemy adapter)."""
    module = type(exc).__module__
    return module.startswith(("asyncpg", "sqlalchemy.dialects", "sqlalchemy.connectors"))


def _database_error(exc: BaseException) -> str:
    found = exc
    # The driver's own error (it carries sqlstate and the names) is at the end of the cause chain.
    while found.__cause__ is not None and _quotes_values(found.__cause__):
        found = found.__cause__
    names = [f"{name}={value}" for name in _PG_NAMES if (value := getattr(found, name, None))]
    return " ".join([type(found).__name__, *names])


def describe_error(exc: BaseException) -> str:
    """``Type: message`` for a log line, without any value a database or validation error quotes."""
    kind = type(exc).__name__
    if isinstance(exc, ValidationError):
        fields = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['type']}"
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        )
        return f"{kind}: {exc.error_count()} invalid ({fields})"
    if isinstance(exc, StatementError):
        statement = " ".join((exc.statement or "").split())[:300]
        cause = _database_error(exc.orig) if exc.orig is not None else "?"
        return f"{kind}: {cause} [SQL: {statement}]"
    if _quotes_values(exc):
        return f"{kind}: {_database_error(exc)}"
    return f"{kind}: {exc}" if str(exc) else kind


def format_exception(exc: BaseException) -> str:
    """The traceback as Python prints it, each exception of the chain told by ``describe_error``."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    separator = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, separator))
        if current.__cause__ is not None:
            current, separator = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, separator = current.__context__, _CONTEXT
        else:
            current = None
    parts: list[str] = []
    for error, joined_by in reversed(chain):
        if error.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n" + "".join(traceback.format_tb(error.__traceback__)))
        module = type(error).__module__
        prefix = "" if module == "builtins" else module + "."
        parts.append(prefix + describe_error(error) + "\n" + joined_by)
    return "".join(parts).rstrip("\n")


def safe_exc_info(_logger: Any, _method: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    """In place of structlog's ``format_exc_info``: the ``exception`` field, through ``format_exception``."""
    exc_info = event_dict.pop("exc_info", None)
    if not exc_info:
        return event_dict
    if isinstance(exc_info, BaseException):
        error: BaseException | None = exc_info
    elif isinstance(exc_info, tuple):
        error = exc_info[1]
    else:
        error = sys.exc_info()[1]
    if error is not None:
        event_dict["exception"] = format_exception(error)
    return event_dict


def configure_logging(level: str = "INFO", json: bool | None = None, process: str = "") -> None:
    if json is None:
        json = not sys.stdout.isatty()
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            safe_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    # Route the standard library (aiohttp access log, aio-pika, alembic) through structlog;
    # their tracebacks are told the same way.
    formatter = structlog.stdlib.ProcessorFormatter(
        processor=renderer, foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, safe_exc_info]
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aio_pika", "aiormq", "faststream", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    if process:
        structlog.contextvars.bind_contextvars(process=process)
