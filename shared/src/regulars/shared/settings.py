"""Process settings, read from the environment (prefix ``REGULARS_``).

One settings class serves every process so that an operator configures the
whole system with one vocabulary; each process reads the fields it needs.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("identity", "appointments", "wallet", "notifications")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGULARS_", extra="ignore")

    environment: str = "development"
    log_level: str = "INFO"
    log_json: bool | None = None  # None: JSON when stdout is not a terminal

    # PostgreSQL: one database per service, named "{db_prefix}_{service}".
    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = "regulars"
    db_password: str = "regulars"
    db_prefix: str = "regulars"
    db_admin_database: str = "postgres"
    database_url: str | None = None  # full override for one process (compose, prod)
    db_pool_size: int = 10

    # RabbitMQ
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    delivery_limit: int = 3
    relay_batch_size: int = 100
    relay_poll_seconds: float = 2.0
    relay_max_backoff_seconds: float = 30.0

    # HTTP
    bind_host: str = "127.0.0.1"
    service_host: str = "127.0.0.1"
    gateway_port: int = 8080
    identity_port: int = 8101
    appointments_port: int = 8102
    wallet_port: int = 8103
    notifications_port: int = 8104
    identity_url: str | None = None
    appointments_url: str | None = None
    wallet_url: str | None = None
    notifications_url: str | None = None
    public_url: str = "http://127.0.0.1:8080"
    internal_token: str = Field(default="dev-internal-token-change-me", min_length=16)
    downstream_timeout_seconds: float = 5.0

    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mailbox_http_port: int = 8025

    def port_of(self, process: str) -> int:
        return int(getattr(self, f"{process}_port"))

    def url_of(self, service: str) -> str:
        explicit = getattr(self, f"{service}_url")
        if explicit:
            return str(explicit).rstrip("/")
        return f"http://{self.service_host}:{self.port_of(service)}"

    def database_name(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"

    def database_url_of(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return (
            f"postgresql+asyncpg://{self.db_user}:{self.db_password}"
            f"@{self.db_host}:{self.db_port}/{self.database_name(service)}"
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
