"""``python -m regulars.devstripe``: localstripe on loopback, its state where we say.

localstripe's own command binds every interface and keeps its state in /tmp/localstripe.pickle,
one file for every copy on the machine: a test run's copy would overwrite the state that
``make run``'s copy reloads at its next start (the stored cards' tokens). This runs the same
server on ``REGULARS_BIND_HOST:REGULARS_LOCALSTRIPE_PORT`` and keeps its state in ``--state``
(written whole, then renamed into place), or nowhere. A development tool: production refuses it.
"""

from __future__ import annotations

import argparse
import os
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources
from localstripe.server import app

from regulars.shared.logging import configure_logging
from regulars.shared.settings import get_settings
from regulars.shared.startup import refuse_development_values


def keep_state_in(path: Path | None) -> None:
    """Where localstripe's store is loaded from and saved to after each change (``None``: nowhere)."""
    store = resources.store

    def load() -> None:
        if path is not None and path.exists():
            store.clear()
            store.update(pickle.loads(path.read_bytes()))

    def save() -> None:
        if path is None:
            return
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(dict(store), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)

    store.try_load_from_disk = load  # type: ignore[method-assign]
    store.dump_to_disk = save  # type: ignore[method-assign]
    load()


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m regulars.devstripe")
    parser.add_argument("--host", default=settings.bind_host)
    parser.add_argument("--port", type=int, default=settings.localstripe_port)
    parser.add_argument("--state", type=Path, default=None, help="file that keeps the state across restarts")
    args = parser.parse_args()
    refuse_development_values(settings, "localstripe", development_tool=True)
    configure_logging(settings.log_level, settings.log_json, process="localstripe")
    if args.state is not None:
        args.state.parent.mkdir(parents=True, exist_ok=True)
    keep_state_in(args.state)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


main()
