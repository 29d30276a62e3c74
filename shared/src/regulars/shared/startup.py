"""The check every process runs before it starts: production never runs on development values.

The defaults of the secrets are published (``dev-…-change-me``, and compose's ``…change-me…``),
so a production process that kept one would let anyone who read them call the internal API as
any client, forge unsubscribe links or device cookies. A production process started with one of
them, or with a development-only setting, refuses to start and names each setting to change.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from regulars.shared.settings import Settings

PRODUCTION = "production"
PLACEHOLDER = "change-me"
"""Part of every placeholder secret: a value holding it was never meant to be kept."""
PUBLIC_PASSWORDS = frozenset({"regulars", "guest", "postgres", "password"})
"""Passwords of the development database and broker, and the servers' own defaults."""
DEVELOPMENT_ONLY: dict[str, object] = {
    # Tests move every process's clock with it (regulars.shared.clock); production keeps real time.
    "clock_offset_seconds": 0.0,
}
"""Settings for development and tests only: in production each must keep this value."""


def env_name(field: str) -> str:
    return f"REGULARS_{field.upper()}"


def secret_fields() -> list[str]:
    """The settings whose default is a placeholder secret: a new secret declared that way is checked too."""
    return sorted(name for name, field in Settings.model_fields.items() if PLACEHOLDER in str(field.default))


def is_production(settings: Settings) -> bool:
    return settings.environment.strip().lower() == PRODUCTION


def development_values(settings: Settings) -> list[str]:
    """What must change before ``settings`` can run in production, one sentence per setting."""
    problems: list[str] = []
    for name in secret_fields():
        value = str(getattr(settings, name))
        if value == Settings.model_fields[name].default or PLACEHOLDER in value.lower():
            problems.append(f"{env_name(name)} is a published development value; set a long random secret")
    for name, allowed in DEVELOPMENT_ONLY.items():
        if getattr(settings, name) != allowed:
            problems.append(f"{env_name(name)} is for development and tests only; remove it (or set {allowed})")
    if settings.database_url:
        if urlsplit(settings.database_url).password in PUBLIC_PASSWORDS:
            problems.append("REGULARS_DATABASE_URL has a development password; set a long random one")
    elif settings.db_password in PUBLIC_PASSWORDS:
        problems.append("REGULARS_DB_PASSWORD is a development password; set a long random one")
    if urlsplit(settings.amqp_url).password in PUBLIC_PASSWORDS:
        problems.append("REGULARS_AMQP_URL has a development password (guest or regulars); use the broker's own user")
    return problems


def refuse_development_values(settings: Settings, process: str, *, development_tool: bool = False) -> None:
    """Exit (status 78, EX_CONFIG) when a production process has a development value.

    ``development_tool``: the process itself is for development only (the dev mailbox)."""
    if not is_production(settings):
        return
    problems = [f"{process} is a development tool"] if development_tool else development_values(settings)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        print(f"{process}: refusing to start with REGULARS_ENVIRONMENT=production:\n{lines}", file=sys.stderr)
        sys.exit(78)
