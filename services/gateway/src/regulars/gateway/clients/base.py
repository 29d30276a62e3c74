"""What every per-service client shares: the one transport, and answers checked against their contracts.

A service's error answer (4xx) is raised by ``ServiceClient`` as the ``ApiError`` the public caller
gets (code, message, fields, Retry-After), and a 5xx, a refused connection or a call past its
deadline as 503 ``service_unavailable``: that is the one place where a service's errors become
the public answer.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

from aiohttp import web
from pydantic import BaseModel, RootModel

from regulars.gateway.keys import CLIENTS
from regulars.shared.http.internal import Principal, ServiceClient

M = TypeVar("M", bound=BaseModel)


class Json(RootModel[Any]):
    """A body the service validates itself, passed on as it came (checked JSON, ``read_json``)."""


class NoContent(RootModel[None]):
    """The answer of a route that answers 204."""


class ServiceApi:
    """Base of ``IdentityClient``, ``AppointmentsClient`` and ``NotificationsClient``: a method per internal
    route, each sending a contract model and answering one (or None when the route answers no body)."""

    service: ClassVar[str]

    def __init__(self, transport: ServiceClient, *, timeout: float | None = None) -> None:
        self._transport = transport
        self._timeout = timeout  # None: the gateway's downstream timeout (settings)

    @classmethod
    def of(cls, request: web.Request) -> Self:
        return cls(request.app[CLIENTS][cls.service])

    async def _call(
        self,
        model: type[M],
        method: str,
        path: str,
        principal: Principal | None,
        *,
        body: BaseModel | None = None,
        partial: bool = False,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        """The answer as ``model`` (``NoContent`` for a route that answers 204). ``partial``: send only
        the fields the caller gave (a patch, where null clears a field); otherwise those not None."""
        if isinstance(body, Json):
            sent = body.root
        elif body is not None:
            sent = body.model_dump(mode="json", exclude_unset=partial, exclude_none=not partial)
        else:
            sent = None
        answer = await self._transport.request(
            method,
            path,
            principal,
            json=sent,
            params=params,
            headers=headers,
            timeout=self._timeout,
        )
        return model.model_validate(answer)
