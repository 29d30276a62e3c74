"""Production refuses development secrets and development-only settings (issue 8), naming each to change."""

from __future__ import annotations

import pytest

from regulars.shared.settings import Settings
from regulars.shared.startup import development_values, refuse_development_values, secret_fields

STRONG = {name: f"a-long-random-{name}-0123456789" for name in secret_fields()}
READY = {
    "environment": "production",
    **STRONG,
    "db_password": "kV9xQ2-random",
    "amqp_url": "amqp://regulars:Zp8wL4-random@rabbit:5672/",
}


def test_every_placeholder_secret_is_checked() -> None:
    assert {"internal_token", "sms_webhook_secret", "notifications_signing_key"} <= set(secret_fields())


def test_production_with_its_own_values_has_nothing_to_change() -> None:
    assert development_values(Settings.model_validate(READY)) == []


def test_each_development_value_is_named_with_its_setting() -> None:
    problems = development_values(Settings(environment="production"))
    named = " ".join(problems)
    for name in [*secret_fields(), "db_password", "amqp_url"]:
        assert f"REGULARS_{name.upper()}" in named
    assert "REGULARS_CLOCK_OFFSET_SECONDS" not in named


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"internal_token": "compose-internal-token-change-me-for-production"}, "REGULARS_INTERNAL_TOKEN"),
        ({"notifications_signing_key": Settings().notifications_signing_key}, "REGULARS_NOTIFICATIONS_SIGNING_KEY"),
        ({"clock_offset_seconds": 86400.0}, "REGULARS_CLOCK_OFFSET_SECONDS"),
        ({"db_password": "regulars"}, "REGULARS_DB_PASSWORD"),
        ({"database_url": "postgresql+asyncpg://regulars:regulars@db/x"}, "REGULARS_DATABASE_URL"),
        ({"amqp_url": "amqp://guest:guest@127.0.0.1:5672/"}, "REGULARS_AMQP_URL"),
    ],
)
def test_one_development_value_is_enough_to_refuse(change: dict[str, object], setting: str) -> None:
    problems = development_values(Settings.model_validate({**READY, **change}))
    assert len(problems) == 1
    assert problems[0].startswith(setting)


def test_a_database_url_with_its_own_password_replaces_the_db_password() -> None:
    settings = Settings.model_validate(
        {**READY, "db_password": "regulars", "database_url": "postgresql+asyncpg://u:Strong-1@db/x"}
    )
    assert development_values(settings) == []


def test_outside_production_development_values_are_fine(capsys: pytest.CaptureFixture[str]) -> None:
    for environment in ("development", "compose", "test"):
        refuse_development_values(Settings(environment=environment, clock_offset_seconds=60), "identity")
    with pytest.raises(SystemExit) as exited:
        refuse_development_values(Settings(environment="Production"), "identity")
    assert exited.value.code == 78
    assert "identity: refusing to start with REGULARS_ENVIRONMENT=production" in capsys.readouterr().err
