"""The public API as one caller sees it, for end-to-end tests: the one gateway client every test uses."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from regulars.shared.testing.infra import Stack
from regulars.shared.testing.mailbox import Mail, mails
from regulars.shared.testing.slots import first_free_slot


class Gateway:
    """Calls to the gateway over ``http``, with a bearer token (``token``, or one given per call) or cookies.

    ``base`` is put before every path (``/api/v1/b/<slug>`` for a widget-like caller); ``ip`` is sent as
    X-Forwarded-For, so that each device has its own address for the rate limits. When the session keeps
    the CSRF cookie (an ``aiohttp.CookieJar(unsafe=True)``, see ``device``), its value goes in X-CSRF-Token
    as the widget sends it.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        stack: Stack,
        *,
        base: str = "",
        token: str = "",
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.http, self.stack, self.base, self.token = http, stack, base, token
        self.headers = {"X-Forwarded-For": ip} if ip else {}
        if user_agent:
            self.headers["User-Agent"] = user_agent
        self._response: aiohttp.ClientResponse | None = None

    @classmethod
    def device(cls, stack: Stack, *, base: str = "", ip: str | None = None, user_agent: str | None = None) -> Gateway:
        """A caller with its own cookie jar, like one browser; ``close()`` it."""
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        return cls(http, stack, base=base, ip=ip, user_agent=user_agent)

    async def close(self) -> None:
        await self.http.close()

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    @property
    def response(self) -> aiohttp.ClientResponse:
        """The last answer (its headers, and the request it answered)."""
        assert self._response is not None, "no call made yet"
        return self._response

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.http.cookie_jar if cookie.key == name), None)

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """The status and the body: parsed JSON, None when empty, else ``(content_type, text)``.

        ``token`` is the bearer token of this call (``""``: none), ``self.token`` when not given."""
        sent = dict(self.headers)
        bearer = self.token if token is None else token
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        csrf_token = self.cookie("regulars_csrf") if csrf else None
        if csrf_token:
            sent["X-CSRF-Token"] = csrf_token
        sent.update(headers or {})
        url = self.stack.gateway_url + self.base + path
        async with self.http.request(method, url, headers=sent, **kwargs) as response:
            self._response = response
            text = await response.text()
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, ((response.content_type, text) if text else None)

    async def free_slot(self, slug: str, service_id: str, hours: float, staff_id: str | None = None) -> datetime:
        """The first free start at least ``hours`` ahead of the system's clock, from availability."""
        return await first_free_slot(
            self.http, self.stack.gateway_url, slug, service_id, after=timedelta(hours=hours), staff_id=staff_id
        )

    async def mail(self, to: str, subject_part: str = "") -> list[Mail]:
        """The mails to ``to`` with ``subject_part`` in the subject (any case), newest first; polled with eventually."""
        return await mails(self.http, self.stack, to, subject_part)


def fresh_ip() -> str:
    """An address no other test uses (sent as X-Forwarded-For), so that rate limits count one device."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def widget_at(stack: Stack, slug: str, user_agent: str = "Flow test (Android)") -> Gateway:
    """What the widget does on one phone: the public API of ``slug`` with the cookie session and CSRF header."""
    return Gateway.device(stack, base=f"/api/v1/b/{slug}", ip=fresh_ip(), user_agent=user_agent)
