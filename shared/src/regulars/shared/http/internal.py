"""Calls from the gateway to a service: internal credential, principal, context ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog

from regulars.shared import context
from regulars.shared.http.app import INTERNAL_TOKEN_HEADER
from regulars.shared.http.errors import ApiError

log = structlog.get_logger(__name__)

ORG_HEADER = "X-Principal-Org"
BUSINESS_HEADER = "X-Principal-Business"
ACCOUNT_HEADER = "X-Principal-Account"


@dataclass(frozen=True)
class Principal:
    """Who a call is made for; services re-check every object against it."""

    org_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None

    def headers(self) -> dict[str, str]:
        pairs = {ORG_HEADER: self.org_id, BUSINESS_HEADER: self.business_id, ACCOUNT_HEADER: self.account_id}
        return {name: str(value) for name, value in pairs.items() if value is not None}

    @classmethod
    def from_headers(cls, headers: Any) -> Principal:
        def parse(name: str) -> uuid.UUID | None:
            value = headers.get(name)
            try:
                return uuid.UUID(value) if value else None
            except ValueError as exc:
                raise ApiError(400, "bad_principal", f"{name} is not a UUID.") from exc

        return cls(parse(ORG_HEADER), parse(BUSINESS_HEADER), parse(ACCOUNT_HEADER))


class ServiceUnavailable(ApiError):
    def __init__(self, service: str) -> None:
        super().__init__(503, "service_unavailable", f"The {service} service is unavailable; try again shortly.")


class ServiceClient:
    """One per downstream service, sharing the gateway's ``ClientSession``."""

    def __init__(self, name: str, base_url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._session = session

    async def request(
        self,
        method: str,
        path: str,
        *,
        principal: Principal | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Status and decoded JSON body; errors from the service are re-raised as ``ApiError``."""
        sent = {
            INTERNAL_TOKEN_HEADER: self._token,
            context.CORRELATION_ID_HEADER: context.current_correlation_id(),
            **(principal.headers() if principal else {}),
            **(headers or {}),
        }
        try:
            async with self._session.request(
                method, f"{self.base_url}{path}", json=json, params=params, headers=sent
            ) as response:
                body = await response.json(content_type=None) if response.content_length != 0 else None
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("downstream_failed", service=self.name, path=path, error=repr(exc))
            raise ServiceUnavailable(self.name) from exc
        if status >= 500:
            raise ServiceUnavailable(self.name)
        if status >= 400:
            error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
            raise ApiError(
                status,
                error.get("code", "error"),
                error.get("message", "The request failed."),
                error.get("fields") or [],
            )
        return status, body

    async def get(self, path: str, **kwargs: Any) -> Any:
        return (await self.request("GET", path, **kwargs))[1]

    async def ready(self) -> dict[str, Any]:
        try:
            async with self._session.get(f"{self.base_url}/health/ready") as response:
                body = await response.json(content_type=None)
                return {"ready": response.status == 200, **(body if isinstance(body, dict) else {})}
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return {"ready": False, "status": "unreachable", "error": type(exc).__name__}
