"""SMS through a provider port: a development provider (the dev mailbox) and Twilio.

Both send through ``send`` and both parse their inbound webhook (replies such as
STOP) with ``parse_inbound``, which checks the provider's signature first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from regulars.notifications.adapters.transport import Outgoing, PermanentFailure, TransientFailure
from regulars.notifications.domain.errors import InvalidWebhook
from regulars.shared.settings import Settings


@dataclass(frozen=True)
class InboundSms:
    from_number: str
    body: str
    provider_message_id: str | None


@dataclass(frozen=True)
class WebhookRequest:
    """What the gateway forwards of a provider's call: the URL it called, the raw body, headers."""

    url: str
    body: str
    content_type: str
    signature: str


class SmsProvider(Protocol):
    name: str

    async def send(self, message: Outgoing) -> str: ...

    def parse_inbound(self, request: WebhookRequest) -> InboundSms: ...

    async def close(self) -> None: ...


def _classify(status: int, text: str) -> None:
    if status < 300:
        return
    if status == 429 or status >= 500:
        raise TransientFailure(f"SMS provider answered {status}: {text[:300]}")
    raise PermanentFailure(f"SMS provider answered {status}: {text[:300]}")


class DevSmsProvider:
    """Delivers into the dev mailbox (``POST /api/sms``); its webhook is signed with HMAC-SHA256."""

    name = "dev"

    def __init__(self, base_url: str, sender: str, webhook_secret: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.sender = sender
        self._secret = webhook_secret.encode()
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))

    async def send(self, message: Outgoing) -> str:
        payload = {"to": message.recipient, "from": self.sender, "body": message.text, "message_id": str(message.id)}
        try:
            async with self._session.post(f"{self.base_url}/api/sms", json=payload) as response:
                text = await response.text()
                _classify(response.status, text)
        except aiohttp.ClientError as exc:
            raise TransientFailure(f"dev SMS box unreachable: {exc!r}") from exc
        return f"accepted by the dev SMS box: {text[:200]}"

    def sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()

    def parse_inbound(self, request: WebhookRequest) -> InboundSms:
        if not hmac.compare_digest(self.sign(request.body), request.signature):
            raise InvalidWebhook("bad signature")
        try:
            data = json.loads(request.body)
            return InboundSms(str(data["from"]), str(data["body"]), str(data.get("id") or "") or None)
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("malformed body") from exc

    async def close(self) -> None:
        await self._session.close()


class TwilioSmsProvider:
    """Twilio's Programmable Messaging REST API; inbound webhooks checked with X-Twilio-Signature."""

    name = "twilio"

    def __init__(self, api_url: str, account_sid: str, auth_token: str, sender: str, timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.account_sid = account_sid
        self._token = auth_token
        self.sender = sender
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            headers={"Authorization": aiohttp.encode_basic_auth(account_sid, auth_token)},
        )

    async def send(self, message: Outgoing) -> str:
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": message.recipient, "From": self.sender, "Body": message.text}
        try:
            async with self._session.post(url, data=form) as response:
                text = await response.text()
                _classify(response.status, text)
        except aiohttp.ClientError as exc:
            raise TransientFailure(f"Twilio unreachable: {exc!r}") from exc
        try:
            sid = json.loads(text).get("sid", "")
        except ValueError:
            sid = ""
        return f"accepted by Twilio: {sid}"

    def signature(self, url: str, params: dict[str, str]) -> str:
        """Twilio's scheme: HMAC-SHA1 of the URL followed by each POST parameter, sorted by name."""
        data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
        return base64.b64encode(hmac.new(self._token.encode(), data.encode(), hashlib.sha1).digest()).decode()

    def parse_inbound(self, request: WebhookRequest) -> InboundSms:
        params = dict(urllib.parse.parse_qsl(request.body, keep_blank_values=True))
        if not hmac.compare_digest(self.signature(request.url, params), request.signature):
            raise InvalidWebhook("bad signature")
        if "From" not in params or "Body" not in params:
            raise InvalidWebhook("malformed body")
        return InboundSms(params["From"], params["Body"], params.get("MessageSid"))

    async def close(self) -> None:
        await self._session.close()


def build_sms_provider(settings: Settings) -> SmsProvider:
    """The provider named by ``sms_provider`` (``dev`` or ``twilio``)."""
    if settings.sms_provider == "twilio":
        if not settings.twilio_account_sid or not settings.twilio_auth_token:
            raise ValueError("sms_provider=twilio needs twilio_account_sid and twilio_auth_token")
        return TwilioSmsProvider(
            settings.twilio_api_url, settings.twilio_account_sid, settings.twilio_auth_token, settings.sms_from
        )
    if settings.sms_provider == "dev":
        base = settings.sms_dev_url or f"http://127.0.0.1:{settings.mailbox_http_port}"
        return DevSmsProvider(base, settings.sms_from, settings.sms_webhook_secret)
    raise ValueError(f"unknown sms_provider {settings.sms_provider!r}")
