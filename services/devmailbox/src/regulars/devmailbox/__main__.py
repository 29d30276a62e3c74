"""``python -m regulars.devmailbox``: SMTP on the SMTP port, web view on the mailbox port."""

from __future__ import annotations

import argparse

from aiohttp import web

from regulars.devmailbox.app import build_app
from regulars.devmailbox.store import Mailbox
from regulars.shared.logging import configure_logging
from regulars.shared.settings import get_settings
from regulars.shared.startup import refuse_development_values


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m regulars.devmailbox")
    parser.add_argument("--host", default=settings.bind_host)
    parser.add_argument("--smtp-port", type=int, default=settings.smtp_port)
    parser.add_argument("--http-port", type=int, default=settings.mailbox_http_port)
    args = parser.parse_args()
    refuse_development_values(settings, "devmailbox", development_tool=True)
    configure_logging(settings.log_level, settings.log_json, process="devmailbox")
    app = build_app(Mailbox(), args.host, args.smtp_port)
    web.run_app(app, host=args.host, port=args.http_port, print=None, access_log=None)


main()
