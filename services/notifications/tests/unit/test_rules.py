"""Pure rules: send decisions, backoff, unsubscribe tokens, SMS keywords and signatures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regulars.notifications.adapters.sms import DevSmsProvider, TwilioSmsProvider, WebhookRequest
from regulars.notifications.domain.errors import InvalidToken, InvalidWebhook
from regulars.notifications.domain.model import (
    CATEGORIES,
    CHANNELS,
    Category,
    Channel,
    Preferences,
    RetryPolicy,
    Status,
    decide,
    decide_on_sending,
    preferences_apply,
)
from regulars.notifications.domain.tokens import UnsubscribeToken, sign_unsubscribe, verify_unsubscribe
from regulars.notifications.service_layer.consent import keyword, normalise_phone

matrices = st.builds(Preferences, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@given(
    prefs=st.one_of(st.none(), matrices),
    channel=st.sampled_from(["email", "sms"]),
    category=st.sampled_from(["security", "receipt", "transactional", "marketing"]),
)
def test_r_n1_r_n3_decision_on_every_channel_and_category(
    prefs: Preferences | None, channel: str, category: str
) -> None:
    decision = decide(channel, category, prefs)  # type: ignore[arg-type]
    if category in ("security", "receipt"):
        assert decision.send
    elif prefs is None:
        assert decision.send == (category == "transactional")
    else:
        assert decision.send == getattr(prefs, f"{channel}_{category}")
    assert decision.reason


@given(
    prefs=st.one_of(st.none(), matrices),
    channel=st.sampled_from(CHANNELS),
    category=st.sampled_from(CATEGORIES),
    voided=st.sampled_from([None, "appointment:1:reminder:0"]),
    recipient=st.sampled_from(["", "c@x.test"]),
)
def test_r_n1_r_n3_at_send_time_a_message_goes_only_if_not_voided_allowed_and_addressed(
    prefs: Preferences | None, channel: Channel, category: Category, voided: str | None, recipient: str
) -> None:
    verdict = decide_on_sending(channel, category, voided_subject=voided, preferences=prefs, recipient=recipient)
    allowed = prefs is None or not preferences_apply(category) or getattr(prefs, f"{channel}_{category}")
    assert (verdict is None) == (voided is None and allowed and bool(recipient))


def test_at_send_time_cancelled_outranks_preferences_which_outrank_a_missing_address() -> None:
    off = Preferences(False, False, False, False)
    assert decide_on_sending(
        "email", "transactional", voided_subject="appointment:1", preferences=off, recipient=""
    ) == (Status.DROPPED, "appointment:1 was cancelled")
    assert decide_on_sending("sms", "transactional", voided_subject=None, preferences=off, recipient="") == (
        Status.SUPPRESSED,
        "at send time: sms transactional is off in the recipient's preferences",
    )
    assert decide_on_sending("sms", "security", voided_subject=None, preferences=off, recipient="") == (
        Status.SUPPRESSED,
        "at send time: no sms address known for the account",
    )
    # R-N3: always sent, whatever the switches; a guest's message was decided when it was queued.
    assert decide_on_sending("email", "receipt", voided_subject=None, preferences=off, recipient="a@x.test") is None
    assert decide_on_sending("email", "marketing", voided_subject=None, preferences=None, recipient="a@x") is None


def test_defaults_transactional_on_marketing_only_with_consent() -> None:
    assert Preferences.defaults() == Preferences(True, False, True, False)
    assert Preferences.defaults(marketing_consent=True) == Preferences(True, True, True, True)


def test_backoff_doubles_up_to_the_cap_and_gives_up_at_the_limit() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=5, max_seconds=12)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert policy.next_attempt(1, now) == now + timedelta(seconds=5)
    assert policy.next_attempt(2, now) == now + timedelta(seconds=10)
    assert policy.next_attempt(3, now) == now + timedelta(seconds=12)
    assert policy.next_attempt(4, now) is None


def test_unsubscribe_token_round_trip_and_tampering() -> None:
    token = UnsubscribeToken(uuid.uuid4(), uuid.uuid4(), "email", "marketing")
    signed = sign_unsubscribe("k" * 32, token)
    assert verify_unsubscribe("k" * 32, signed) == token
    with pytest.raises(InvalidToken):
        verify_unsubscribe("other-key" * 4, signed)
    body, signature = signed.split(".")
    forged = UnsubscribeToken(uuid.uuid4(), token.business_id, "email", "marketing")
    forged_body = sign_unsubscribe("k" * 32, forged).split(".")[0]
    with pytest.raises(InvalidToken):
        verify_unsubscribe("k" * 32, f"{forged_body}.{signature}")
    for junk in ("", "abc", "a.b.c", f"{body}.", "!!!.???"):
        with pytest.raises(InvalidToken):
            verify_unsubscribe("k" * 32, junk)


def test_sms_keywords_and_numbers() -> None:
    assert keyword(" Stop ") == "stop"
    assert keyword("UNSUBSCRIBE") == "stop"
    assert keyword("start") == "start"
    assert keyword("stop sending me offers please") == "other"
    assert normalise_phone("+39 333 123-4567") == "+393331234567"


async def test_twilio_webhook_signature_is_checked() -> None:
    provider = TwilioSmsProvider("https://api.twilio.test", "AC123", "secret-token", "+15550000000")
    try:
        url = "https://regulars.example/api/v1/sms/inbound/twilio"
        body = "From=%2B393331234567&Body=STOP&MessageSid=SM1"
        params = {"From": "+393331234567", "Body": "STOP", "MessageSid": "SM1"}
        good = WebhookRequest(url, body, "application/x-www-form-urlencoded", provider.signature(url, params))
        assert provider.parse_inbound(good).body == "STOP"
        with pytest.raises(InvalidWebhook):
            provider.parse_inbound(WebhookRequest(url, body.replace("STOP", "START"), "", good.signature))
    finally:
        await provider.close()


async def test_dev_webhook_signature_is_checked() -> None:
    provider = DevSmsProvider("http://127.0.0.1:9", "+15550000000", "s" * 32)
    try:
        body = '{"from": "+393331234567", "body": "STOP", "id": "d1"}'
        assert provider.parse_inbound(WebhookRequest("u", body, "application/json", provider.sign(body))).body == "STOP"
        with pytest.raises(InvalidWebhook):
            provider.parse_inbound(WebhookRequest("u", body, "application/json", "0" * 64))
    finally:
        await provider.close()
