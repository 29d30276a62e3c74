"""The gateway's client of the notifications service: one method per internal route it uses."""

from __future__ import annotations

import uuid

from regulars.gateway.caller import business_principal
from regulars.gateway.clients.base import ServiceApi
from regulars.shared.contracts import notifications as contract
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.http.internal import Principal, internal_path

MESSAGES = "/internal/businesses/{business_id}/messages"


class NotificationsClient(ServiceApi):
    service = "notifications"

    # --- The signed-in client's preferences, and unsubscribe links (any visitor) ---------

    async def preferences(self, client: Principal) -> contract.NotificationPreferences:
        return await self._call(contract.NotificationPreferences, "GET", "/internal/preferences", client)

    async def set_preferences(
        self, client: Principal, matrix: contract.PreferenceMatrix
    ) -> contract.NotificationPreferences:
        return await self._call(contract.NotificationPreferences, "PUT", "/internal/preferences", client, body=matrix)

    async def describe_unsubscribe(self, visitor: Principal, token: str) -> contract.UnsubscribeDescription:
        params = {"token": token}
        return await self._call(contract.UnsubscribeDescription, "GET", "/internal/unsubscribe", visitor, params=params)

    async def unsubscribe(
        self, visitor: Principal, request: contract.UnsubscribeRequest
    ) -> contract.UnsubscribeDescription:
        return await self._call(contract.UnsubscribeDescription, "POST", "/internal/unsubscribe", visitor, body=request)

    # --- The business's messages, through its API key -----------------------------------

    async def send_marketing(
        self, business: BusinessSnapshot, message: contract.MarketingMessageRequest
    ) -> contract.MarketingMessageResult:
        path = internal_path(MESSAGES, business_id=business.business_id)
        principal = business_principal(business)
        return await self._call(contract.MarketingMessageResult, "POST", path, principal, body=message)

    async def messages(self, business: BusinessSnapshot, query: dict[str, str]) -> contract.MessageList:
        """``query``: the filters ``status``, ``account_id`` and ``limit`` (the service checks them)."""
        path = internal_path(MESSAGES, business_id=business.business_id)
        return await self._call(contract.MessageList, "GET", path, business_principal(business), params=query)

    async def message(self, business: BusinessSnapshot, message_id: uuid.UUID) -> contract.MessageDetail:
        path = internal_path(MESSAGES + "/{message_id}", business_id=business.business_id, message_id=message_id)
        return await self._call(contract.MessageDetail, "GET", path, business_principal(business))

    # --- SMS providers' webhooks: the service checks the signature -----------------------

    async def inbound_sms(self, provider: str, webhook: contract.InboundWebhook) -> contract.InboundResult:
        path = internal_path("/internal/sms/inbound/{provider}", provider=provider)
        return await self._call(contract.InboundResult, "POST", path, None, body=webhook)
