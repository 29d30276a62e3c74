"""Operator commands: ``python -m regulars.identity businesses … | api-keys … | demo seed``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regulars.identity.domain.businesses import BusinessChanges, BusinessSpec, OrganizationSpec
from regulars.identity.service_layer import businesses as uc
from regulars.identity.service_layer.demo import seed_demo
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSettings
from regulars.shared.db import UnitOfWork, make_engine
from regulars.shared.domain_errors import DomainError
from regulars.shared.http.domain_errors import api_error
from regulars.shared.settings import Settings


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


async def _with_engine(settings: Settings, work: Any) -> int:
    engine = make_engine(settings.database_url_of("identity"), 2)
    try:
        await work(engine)
        return 0
    except ValidationError as exc:
        _print({"error": "validation_error", "fields": exc.errors(include_url=False)})
        return 2
    except DomainError as exc:
        _print(api_error(exc).body())
        return 2
    finally:
        await engine.dispose()


def _settings_from(args: argparse.Namespace, base: BusinessSettings | None = None) -> BusinessSettings | None:
    if args.settings_json is None and args.client_logins is None:
        return base
    data = (base or BusinessSettings()).model_dump()
    if args.settings_json:
        data.update(json.loads(args.settings_json))
    if args.client_logins:
        data["client_logins"] = args.client_logins
    return BusinessSettings.model_validate(data)


def _business_fields(args: argparse.Namespace) -> dict[str, Any]:
    """What ``_business_options`` reads, by the names of ``BusinessSpec`` and ``BusinessChanges``."""
    return {
        "name": args.name,
        "vertical": args.vertical,
        "timezone": args.timezone,
        "currency": args.currency,
        "default_locale": args.locale,
    }


async def businesses_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(engine: Any) -> None:
        org = OrganizationSpec(slug=args.org, name=args.org_name or args.org, client_database=args.client_database)
        spec = BusinessSpec(
            slug=args.slug, **_business_fields(args), settings=_settings_from(args) or BusinessSettings()
        )
        async with UnitOfWork(engine) as uow:
            org_id = await uc.ensure_organization(uow, org)
            snapshot = await uc.create_business(uow, org_id, spec)
        _print(snapshot.model_dump(mode="json"))

    return await _with_engine(settings, work)


async def businesses_update(args: argparse.Namespace, settings: Settings) -> int:
    async def work(engine: Any) -> None:
        async with UnitOfWork(engine) as uow:
            current = await uc.get_business_by_slug(uow.conn, args.slug)
            changes = BusinessChanges(**_business_fields(args), settings=_settings_from(args, current.settings))
            snapshot = await uc.update_business(uow, args.slug, changes)
        _print(snapshot.model_dump(mode="json"))

    return await _with_engine(settings, work)


async def businesses_show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(engine: Any) -> None:
        async with engine.connect() as conn:
            _print((await uc.get_business_by_slug(conn, args.slug)).model_dump(mode="json"))

    return await _with_engine(settings, work)


async def api_keys_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(engine: Any) -> None:
        async with UnitOfWork(engine) as uow:
            issued = await uc.create_api_key(uow, args.business, args.name)
        _print(
            {
                "key_id": issued.key_id,
                "business": issued.business_slug,
                "name": issued.name,
                "key": issued.secret,
            }
        )
        print("Store this key now: it is shown only once.", flush=True)

    return await _with_engine(settings, work)


async def demo_seed(args: argparse.Namespace, settings: Settings) -> int:
    async def work(engine: Any) -> None:
        _print(await seed_demo(engine, settings, Path(args.out), clock.now()))

    return await _with_engine(settings, work)


def _business_options(parser: argparse.ArgumentParser, creating: bool) -> None:
    parser.add_argument("--name", required=creating)
    parser.add_argument("--vertical", default="salon" if creating else None)
    parser.add_argument("--timezone", default="UTC" if creating else None)
    parser.add_argument("--currency", default="EUR" if creating else None)
    parser.add_argument("--locale", default="en" if creating else None)
    parser.add_argument("--client-logins", choices=["off", "optional", "required"])
    parser.add_argument("--settings-json", help="settings as JSON (sections, booking_policy, client_logins)")


def add_commands(commands: Any) -> None:
    biz = commands.add_parser("businesses", help="organizations and businesses").add_subparsers(
        dest="businesses_command", required=True
    )
    create = biz.add_parser("create", help="create a business (and its organization if new)")
    create.add_argument("--org", required=True, help="organization slug; created if missing")
    create.add_argument("--org-name", help="organization name when it is created")
    create.add_argument("--client-database", choices=["per_business", "global"], default="per_business")
    create.add_argument("--slug", required=True)
    _business_options(create, creating=True)
    create.set_defaults(func=businesses_create)
    update = biz.add_parser("update", help="change a business")
    update.add_argument("--slug", required=True)
    _business_options(update, creating=False)
    update.set_defaults(func=businesses_update)
    show = biz.add_parser("show", help="show a business")
    show.add_argument("--slug", required=True)
    show.set_defaults(func=businesses_show)

    keys = commands.add_parser("api-keys", help="business API keys").add_subparsers(
        dest="api_keys_command", required=True
    )
    key_create = keys.add_parser("create", help="issue a key (printed once, stored hashed)")
    key_create.add_argument("--business", required=True, help="business slug")
    key_create.add_argument("--name", default="default")
    key_create.set_defaults(func=api_keys_create)

    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    seed = demo.add_parser("seed", help="create or refresh the demo organizations (idempotent)")
    seed.add_argument("--out", default="var/demo.json")
    seed.set_defaults(func=demo_seed)
