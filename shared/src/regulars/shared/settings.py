"""Process settings, read from the environment (prefix ``REGULARS_``).

One settings class serves every process so that an operator configures the
whole system with one vocabulary; each process reads the fields it needs.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("identity", "appointments", "wallet", "notifications")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGULARS_", extra="ignore", populate_by_name=True)

    # "production" refuses development secrets and test-only settings (regulars.shared.startup).
    environment: str = Field(
        default="development", validation_alias=AliasChoices("REGULARS_ENVIRONMENT", "REGULARS_ENV")
    )
    # Tests only: every process's clock reads now + this many seconds (regulars.shared.clock).
    clock_offset_seconds: float = 0.0
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
    # Gateway: how long a resolved session is kept (0: ask identity on every request). Revocations
    # reach every instance through identity's events; the cache is bypassed while they cannot.
    session_cache_seconds: float = Field(default=60.0, ge=0, le=300)

    # Client accounts (identity): argon2id cost (OWASP minimum by default) and session length.
    password_hash_time_cost: int = Field(default=2, ge=2)
    password_hash_memory_kib: int = Field(default=19456, ge=19456)
    password_hash_workers: int = Field(default=2, ge=1, description="threads hashing passwords")
    session_days: int = Field(default=30, ge=1, le=365)
    # Gateway: proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs).
    trusted_proxies: str = "127.0.0.0/8,::1/128"
    # Gateway: signs the device cookie (HMAC) that lets a known device sign in while its
    # account's failed-sign-in ceiling holds; change it in production.
    device_cookie_secret: str = Field(default="dev-device-cookie-secret-change-me", min_length=16)

    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mailbox_http_port: int = 8025
    # Notifications: SMTP (implicit TLS or STARTTLS, optional credentials) and the courier.
    smtp_use_tls: bool = False
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Regulars <no-reply@regulars.localhost>"
    courier_poll_seconds: float = 0.5
    courier_batch_size: int = 50
    courier_concurrency: int = 4
    courier_max_attempts: int = 6
    courier_backoff_base_seconds: float = 5.0
    courier_backoff_max_seconds: float = 3600.0
    courier_lease_seconds: float = 120.0
    # SMS: "dev" posts into the dev mailbox's /api/sms; "twilio" uses Twilio's REST API.
    sms_provider: str = "dev"
    sms_from: str = "+15550000000"
    sms_dev_url: str | None = None  # default: the dev mailbox on mailbox_http_port
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    sms_webhook_secret: str = Field(default="dev-sms-webhook-secret-change-me", min_length=16)
    # Signs unsubscribe tokens (HMAC); change it in production.
    notifications_signing_key: str = Field(default="dev-notifications-signing-key-change-me", min_length=16)

    # Payments (wallet): Stripe's API. Development and tests talk to localstripe (scripts/localstripe.py,
    # on localstripe_port); production sets the API base to Stripe's and its own keys.
    stripe_api_base: str | None = None  # default: localstripe on localstripe_port
    localstripe_port: int = 8420
    # localstripe takes any key that starts with sk_ (and pk_ for Stripe.js); Stripe only its own.
    stripe_secret_key: str = Field(default="sk_test_regulars-development-change-me", min_length=8)
    stripe_publishable_key: str = "pk_test_regulars-development"
    stripe_timeout_seconds: float = 10.0

    def port_of(self, process: str) -> int:
        return int(getattr(self, f"{process}_port"))

    def url_of(self, service: str) -> str:
        explicit = getattr(self, f"{service}_url")
        if explicit:
            return str(explicit).rstrip("/")
        return f"http://{self.service_host}:{self.port_of(service)}"

    def stripe_url(self) -> str:
        return (self.stripe_api_base or f"http://127.0.0.1:{self.localstripe_port}").rstrip("/")

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
