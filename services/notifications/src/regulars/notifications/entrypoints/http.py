"""Internal HTTP API (called by the gateway with the internal credential and a principal).

Every handler re-checks what it touches against the principal: the business
must be the principal's and belong to its organization; preferences are the
principal account's own.
"""

from __future__ import annotations

import uuid

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.notifications.adapters.sms import WebhookRequest
from regulars.notifications.domain.errors import AccountNotFound, BusinessNotFound, NotSignedIn
from regulars.notifications.domain.tokens import UnsubscribeToken, verify_unsubscribe
from regulars.notifications.entrypoints.background import COURIER, SMS_PROVIDER
from regulars.notifications.service_layer.campaigns import send_marketing
from regulars.notifications.service_layer.consent import (
    UnsubscribeTarget,
    describe_unsubscribe,
    handle_inbound_sms,
    unsubscribe,
)
from regulars.notifications.service_layer.contacts import get_contact
from regulars.notifications.service_layer.dispatch_views import list_messages, message_detail
from regulars.notifications.service_layer.preferences import (
    as_matrix,
    from_matrix,
    load_preferences,
    set_client_preferences,
)
from regulars.shared import clock
from regulars.shared.contracts.identity import BusinessSnapshot
from regulars.shared.contracts.notifications import (
    InboundResult,
    InboundWebhook,
    MarketingMessageRequest,
    MarketingMessageResult,
    MessageList,
    NotificationPreferences,
    PreferenceMatrix,
    UnsubscribeDescription,
    UnsubscribeRequest,
)
from regulars.shared.db.unit_of_work import UnitOfWork
from regulars.shared.http.app import json_response, parse_body, parse_query
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Audience, Principal, add_internal_routes, principal_of
from regulars.shared.service import ENGINE, SETTINGS
from regulars.shared.tenancy import get_business


class MessageQuery(BaseModel):
    status: str | None = None
    account_id: uuid.UUID | None = None
    limit: int = Field(default=50, ge=1, le=500)


class TokenQuery(BaseModel):
    token: str = Field(min_length=10, max_length=2000)


def _path_uuid(request: web.Request, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError as exc:
        raise ApiError(404, "not_found", f"No such {name.removesuffix('_id')}.") from exc


def _principal_business_id(principal: Principal) -> uuid.UUID:
    if principal.business_id is None or principal.org_id is None:
        raise ApiError(400, "principal_required", "The call names no business.")
    return principal.business_id


async def _business(uow: UnitOfWork, principal: Principal, business_id: uuid.UUID | None = None) -> BusinessSnapshot:
    wanted = business_id or _principal_business_id(principal)
    if principal.business_id is not None and wanted != principal.business_id:
        raise BusinessNotFound()
    business = await get_business(uow.conn, wanted)
    if business is None or (principal.org_id is not None and business.org_id != principal.org_id):
        raise BusinessNotFound()
    return business


def _account(principal: Principal) -> uuid.UUID:
    if principal.account_id is None:
        raise NotSignedIn()
    return principal.account_id


async def _check_account_at(uow: UnitOfWork, account_id: uuid.UUID, business: BusinessSnapshot) -> None:
    contact = await get_contact(uow.conn, account_id)
    # A contact not projected yet (event in flight) is allowed: the gateway authenticated it.
    if contact is not None and not contact.belongs_to(business):
        raise AccountNotFound()


def _preferences_body(matrix: PreferenceMatrix) -> NotificationPreferences:
    return NotificationPreferences(email=matrix.email, sms=matrix.sms)


async def get_preferences(request: web.Request) -> web.Response:
    principal = principal_of(request)
    account_id = _account(principal)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await _business(uow, principal)
        await _check_account_at(uow, account_id, business)
        prefs = await load_preferences(uow.conn, account_id, business.business_id)
    return json_response(_preferences_body(as_matrix(prefs)))


async def put_preferences(request: web.Request) -> web.Response:
    principal = principal_of(request)
    account_id = _account(principal)
    wanted = from_matrix(await parse_body(request, PreferenceMatrix))
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await _business(uow, principal)
        await _check_account_at(uow, account_id, business)
        prefs = await set_client_preferences(uow, business, account_id, wanted, clock.now())
    return json_response(_preferences_body(as_matrix(prefs)))


def _token(request: web.Request, raw: str) -> UnsubscribeToken:
    return verify_unsubscribe(request.app[SETTINGS].notifications_signing_key, raw)


def _description(target: UnsubscribeTarget) -> UnsubscribeDescription:
    return UnsubscribeDescription(
        business=target.business.slug,
        business_name=target.business.name,
        channel=target.token.channel,
        category=target.token.category,
        subscribed=target.currently_enabled,
    )


async def describe_unsubscribe_link(request: web.Request) -> web.Response:
    principal = principal_of(request)
    token = _token(request, parse_query(request, TokenQuery).token)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        target = await describe_unsubscribe(uow, token, _principal_business_id(principal))
    return json_response(_description(target))


async def post_unsubscribe(request: web.Request) -> web.Response:
    principal = principal_of(request)
    token = _token(request, (await parse_body(request, UnsubscribeRequest)).token)
    async with UnitOfWork(request.app[ENGINE]) as uow:
        target = await unsubscribe(uow, token, _principal_business_id(principal), clock.now())
    return json_response(_description(target))


async def post_marketing_message(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await parse_body(request, MarketingMessageRequest)
    business_id = _path_uuid(request, "business_id")
    campaign_id = body.campaign_id or uuid.uuid4()
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await _business(uow, principal, business_id)
        result = await send_marketing(
            uow.conn,
            request.app[SETTINGS],
            business,
            campaign_id=campaign_id,
            channel=body.channel,
            title=body.title,
            text=body.text,
            account_id=body.account_id,
            now=clock.now(),
            due_at=body.send_at,
        )
    request.app[COURIER].wake()
    return json_response(
        MarketingMessageResult(campaign_id=campaign_id, queued=result.queued, suppressed=result.suppressed),
        status=202,
    )


async def get_messages(request: web.Request) -> web.Response:
    principal = principal_of(request)
    query = parse_query(request, MessageQuery)
    business_id = _path_uuid(request, "business_id")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await _business(uow, principal, business_id)
        found = await list_messages(
            uow.conn,
            business_id=business.business_id,
            account_id=query.account_id,
            status=query.status,
            limit=query.limit,
        )
    return json_response(MessageList(messages=found))


async def get_message(request: web.Request) -> web.Response:
    principal = principal_of(request)
    business_id = _path_uuid(request, "business_id")
    message_id = _path_uuid(request, "message_id")
    async with UnitOfWork(request.app[ENGINE]) as uow:
        business = await _business(uow, principal, business_id)
        detail = await message_detail(uow.conn, message_id, business.business_id)
    if detail is None:
        raise ApiError(404, "message_not_found", "No such message.")
    return json_response(detail)


async def post_inbound_sms(request: web.Request) -> web.Response:
    provider = request.app[SMS_PROVIDER]
    if request.match_info["provider"] != provider.name:
        raise ApiError(404, "unknown_provider", "This SMS provider is not configured.")
    body = await parse_body(request, InboundWebhook)
    sms = provider.parse_inbound(WebhookRequest(body.url, body.body, body.content_type, body.signature))
    async with UnitOfWork(request.app[ENGINE]) as uow:
        action, changed = await handle_inbound_sms(uow, provider.name, sms, clock.now())
    return json_response(InboundResult.model_validate({"action": action, "changed": changed}))


def add_routes(app: web.Application) -> None:
    add_internal_routes(app.router, Audience.CLIENT, [
        ("GET", "/internal/preferences", get_preferences),
        ("PUT", "/internal/preferences", put_preferences),
    ])  # fmt: skip
    # Unsubscribe links: the signed token names the account; the principal names the business.
    add_internal_routes(app.router, Audience.VISITOR, [
        ("GET", "/internal/unsubscribe", describe_unsubscribe_link),
        ("POST", "/internal/unsubscribe", post_unsubscribe),
    ])  # fmt: skip
    add_internal_routes(app.router, Audience.STAFF, [
        ("POST", "/internal/businesses/{business_id}/messages", post_marketing_message),
        ("GET", "/internal/businesses/{business_id}/messages", get_messages),
        ("GET", "/internal/businesses/{business_id}/messages/{message_id}", get_message),
    ])  # fmt: skip
    # The provider's signature is the credential.
    add_internal_routes(app.router, Audience.OPEN, [("POST", "/internal/sms/inbound/{provider}", post_inbound_sms)])
