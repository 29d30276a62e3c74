"""``python -m regulars.gateway serve | openapi``."""

from __future__ import annotations

import argparse
import json
import sys

from aiohttp import web

from regulars.gateway.app import build_app, openapi_document
from regulars.shared import clock
from regulars.shared.logging import configure_logging
from regulars.shared.settings import get_settings
from regulars.shared.startup import refuse_development_values


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m regulars.gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the public API and the widget")
    serve.add_argument("--port", type=int, default=settings.gateway_port)
    serve.add_argument("--host", default=settings.bind_host)
    commands.add_parser("openapi", help="print the OpenAPI document")
    args = parser.parse_args(argv)
    refuse_development_values(settings, "gateway")
    if args.command == "openapi":
        print(json.dumps(openapi_document(), indent=2, sort_keys=True))
        return 0
    configure_logging(settings.log_level, settings.log_json, process="gateway")
    clock.configure(settings)
    web.run_app(build_app(settings), host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
