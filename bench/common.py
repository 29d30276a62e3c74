"""What every benchmark does the same way: its command line, and a run on databases and a vhost of its own."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from regulars.shared.settings import Settings
from regulars.shared.testing.infra import create_vhost, delete_vhost, drop_databases, isolated_settings

T = TypeVar("T")


def command_line(name: str, description: str | None) -> argparse.ArgumentParser:
    """The parser of ``python -m bench.<name>``, with the ``--json`` every benchmark takes."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=description)
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    return parser


def run_isolated(measure: Callable[[Settings], Coroutine[Any, Any, T]], settings: Settings | None = None) -> T:
    """``measure`` on databases and a vhost of its own (``isolated_settings`` unless given), dropped afterwards."""
    settings = settings or isolated_settings()
    create_vhost(settings)
    try:
        return asyncio.run(measure(settings))
    finally:
        asyncio.run(drop_databases(settings))
        delete_vhost(settings)
