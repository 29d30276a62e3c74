from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regulars.shared.http.domain_errors import api_error
from regulars.shared.idempotency import IdempotencyKeyRequired, request_fingerprint, validate_key
from regulars.shared.messaging.relay import backoff
from regulars.shared.settings import Settings


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.5, max_value=60))
def test_relay_backoff_grows_and_is_capped(attempts: int, maximum: float) -> None:
    assert 0 < backoff(attempts, maximum) <= maximum
    assert backoff(attempts, maximum) <= backoff(attempts + 1, maximum)


def test_idempotency_fingerprint_ignores_key_order_but_not_values() -> None:
    assert request_fingerprint({"a": 1, "b": 2}) == request_fingerprint({"b": 2, "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})


@pytest.mark.parametrize("key", [None, "", "x" * 256])
def test_idempotency_key_must_be_present_and_short(key: str | None) -> None:
    with pytest.raises(IdempotencyKeyRequired) as raised:
        validate_key(key)
    assert (api_error(raised.value).status, raised.value.code) == (400, "idempotency_key_required")


def test_database_names_and_service_urls_follow_the_settings() -> None:
    settings = Settings(db_prefix="acme", identity_port=9001, wallet_url="http://wallet.internal:80/")
    assert settings.database_name("wallet") == "acme_wallet"
    assert settings.database_url_of("wallet").endswith("/acme_wallet")
    assert settings.url_of("identity") == "http://127.0.0.1:9001"
    assert settings.url_of("wallet") == "http://wallet.internal:80"
    assert Settings(database_url="postgresql+asyncpg://u:p@h/x").database_url_of("identity") == (
        "postgresql+asyncpg://u:p@h/x"
    )
