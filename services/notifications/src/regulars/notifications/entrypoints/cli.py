"""``python -m regulars.notifications messages list|show ID``: the dispatch log for operators."""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from regulars.notifications.service_layer.dispatch_views import list_messages, message_detail
from regulars.shared.db.engine import make_engine
from regulars.shared.settings import Settings


def add_commands(commands: Any) -> None:
    messages = commands.add_parser("messages", help="outgoing messages and their dispatch log")
    sub = messages.add_subparsers(dest="messages_command", required=True)
    listing = sub.add_parser("list", help="the newest messages")
    listing.add_argument("--business", type=uuid.UUID, help="only this business (id)")
    listing.add_argument("--account", type=uuid.UUID, help="only this account (id)")
    listing.add_argument("--status", help="queued, sending, sent, failed, abandoned, suppressed, dropped")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(func=_list)
    show = sub.add_parser("show", help="one message with every dispatch log row")
    show.add_argument("id", type=uuid.UUID)
    show.set_defaults(func=_show)


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url_of("notifications"), 2)
    try:
        async with engine.connect() as conn:
            found = await list_messages(
                conn, business_id=args.business, account_id=args.account, status=args.status, limit=args.limit
            )
    finally:
        await engine.dispose()
    for message in found:
        if args.json:
            print(message.model_dump_json())
        else:
            print(
                f"{message.id}  {message.created_at:%Y-%m-%d %H:%M:%S}  {message.status:<10} {message.channel:<5} "
                f"{message.category:<13} {message.template:<22} {message.recipient}  {message.last_error or ''}"
            )
    return 0


async def _show(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url_of("notifications"), 2)
    try:
        async with engine.connect() as conn:
            detail = await message_detail(conn, args.id)
    finally:
        await engine.dispose()
    if detail is None:
        print(f"no message {args.id}")
        return 1
    print(detail.model_dump_json(indent=2))
    return 0
