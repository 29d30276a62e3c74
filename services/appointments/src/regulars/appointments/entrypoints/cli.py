"""Operator commands: ``python -m regulars.appointments demo seed [--wait SECONDS]``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from regulars.appointments.service_layer.demo import seed_demo
from regulars.shared.db import make_engine
from regulars.shared.settings import Settings


async def demo_seed(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url_of("appointments"), 2)
    try:
        result = await seed_demo(engine, args.wait)
    finally:
        await engine.dispose()
    print(json.dumps(result, indent=2))
    return 1 if result["missing"] else 0


def add_commands(commands: Any) -> None:
    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    seed = demo.add_parser("seed", help="give the demo businesses a catalog (waits for their projection)")
    seed.add_argument("--wait", type=float, default=120.0, help="seconds to wait for the businesses to arrive")
    seed.set_defaults(func=demo_seed)
