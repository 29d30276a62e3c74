"""Notifications: the client's preferences, unsubscribe links, marketing sends, the dispatch log, SMS webhooks."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from regulars.gateway.auth import require_business_key, require_client
from regulars.gateway.caller import business_principal
from regulars.gateway.keys import CLIENTS, SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid, path_value
from regulars.gateway.tenancy import resolve_business
from regulars.shared.contracts.notifications import (
    InboundResult,
    MarketingMessageRequest,
    MarketingMessageResult,
    MessageDetail,
    MessageList,
    NotificationPreferences,
    PreferenceMatrix,
    UnsubscribeDescription,
    UnsubscribeRequest,
)
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError
from regulars.shared.http.internal import Principal, ServiceClient, internal_path

PREFERENCES = "/api/v1/b/{business}/me/notification-preferences"
UNSUBSCRIBE = "/api/v1/b/{business}/unsubscribe"
ADMIN = "/api/v1/admin/businesses/{business}/messages"
SIGNED_IN = {401: "not_signed_in", 403: "csrf_failed (cookie sessions send X-CSRF-Token)"}
ADMIN_ERRORS = {401: "invalid_api_key", 404: "business_not_found: the key belongs to another business."}


def _notifications(request: web.Request) -> ServiceClient:
    return request.app[CLIENTS]["notifications"]


async def _unsubscribe_token(request: web.Request) -> str:
    """From a JSON body ``{"token"}`` (the widget) or the query (RFC 8058 one-click POST from a mail client)."""
    content_type = request.content_type
    if content_type == "application/json":
        return (await parse_body(request, UnsubscribeRequest)).token
    if content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        if form.get("List-Unsubscribe") not in (None, "One-Click"):
            raise ApiError(400, "bad_request", "Expected List-Unsubscribe=One-Click.")
    token = request.query.get("token", "")
    try:
        return UnsubscribeRequest(token=token).token
    except ValidationError as exc:
        raise ApiError(400, "invalid_token", "This unsubscribe link is not valid.") from exc


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET",
        PREFERENCES,
        summary="The signed-in client's notification preferences at this business (R-N1)",
        tag="notifications",
        response=NotificationPreferences,
        errors=SIGNED_IN,
    )
    async def get_notification_preferences(request: web.Request) -> web.Response:
        client = await require_client(request)
        _, body = await _notifications(request).request("GET", "/internal/preferences", principal=client.principal)
        return json_response(NotificationPreferences.model_validate(body))

    @routes.route(
        "PUT",
        PREFERENCES,
        summary="Replace the client's matrix channel x category; emits notifications.preferences.changed.v1",
        tag="notifications",
        request=PreferenceMatrix,
        response=NotificationPreferences,
        errors={**SIGNED_IN, 422: "validation_error"},
    )
    async def put_notification_preferences(request: web.Request) -> web.Response:
        client = await require_client(request)
        matrix = await parse_body(request, PreferenceMatrix)
        _, body = await _notifications(request).request(
            "PUT", "/internal/preferences", principal=client.principal, json=matrix.model_dump()
        )
        return json_response(NotificationPreferences.model_validate(body))

    @routes.route(
        "GET",
        UNSUBSCRIBE,
        summary="What an unsubscribe link would turn off; changes nothing (mail scanners follow links)",
        tag="notifications",
        response=UnsubscribeDescription,
        errors={400: "invalid_token", 404: "business_not_found"},
    )
    async def describe_unsubscribe(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        token = request.query.get("token", "")
        if len(token) < 10:
            raise ApiError(400, "invalid_token", "This unsubscribe link is not valid.")
        _, body = await _notifications(request).request(
            "GET", "/internal/unsubscribe", principal=business_principal(business), params={"token": token}
        )
        return json_response(UnsubscribeDescription.model_validate(body))

    @routes.route(
        "POST",
        UNSUBSCRIBE,
        summary="Unsubscribe with a signed token: JSON {token}, or RFC 8058 one-click (token in the query)",
        tag="notifications",
        request=UnsubscribeRequest,
        response=UnsubscribeDescription,
        errors={400: "invalid_token", 404: "business_not_found"},
    )
    async def post_unsubscribe(request: web.Request) -> web.Response:
        business = await resolve_business(request)
        token = await _unsubscribe_token(request)
        _, body = await _notifications(request).request(
            "POST", "/internal/unsubscribe", principal=business_principal(business), json={"token": token}
        )
        return json_response(UnsubscribeDescription.model_validate(body))

    @routes.route(
        "POST",
        ADMIN,
        summary="Send a marketing message to one client or to every client who opted in",
        tag="notifications",
        request=MarketingMessageRequest,
        response=MarketingMessageResult,
        status=202,
        errors={**ADMIN_ERRORS, 422: "validation_error"},
    )
    async def send_marketing_message(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        message = await parse_body(request, MarketingMessageRequest)
        status, body = await _notifications(request).request(
            "POST",
            internal_path("/internal/businesses/{business_id}/messages", business_id=business.business_id),
            principal=business_principal(business),
            json=message.model_dump(mode="json"),
        )
        return json_response(MarketingMessageResult.model_validate(body), status=status)

    @routes.route(
        "GET",
        ADMIN,
        summary="The business's newest outgoing messages (filters: status, account_id, limit)",
        tag="notifications",
        response=MessageList,
        errors=ADMIN_ERRORS,
    )
    async def list_outgoing_messages(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        params = {k: v for k, v in request.query.items() if k in ("status", "account_id", "limit")}
        _, body = await _notifications(request).request(
            "GET",
            internal_path("/internal/businesses/{business_id}/messages", business_id=business.business_id),
            principal=business_principal(business),
            params=params,
        )
        return json_response(MessageList.model_validate(body))

    @routes.route(
        "GET",
        ADMIN + "/{message_id}",
        summary="One outgoing message with its dispatch log: every decision and attempt, and why",
        tag="notifications",
        response=MessageDetail,
        errors={**ADMIN_ERRORS, 404: "business_not_found or message_not_found"},
    )
    async def get_outgoing_message(request: web.Request) -> web.Response:
        business = await require_business_key(request)
        path = internal_path(
            "/internal/businesses/{business_id}/messages/{message_id}",
            business_id=business.business_id,
            message_id=path_uuid(request, "message_id"),
        )
        _, body = await _notifications(request).request(
            "GET",
            path,
            principal=business_principal(business),
        )
        return json_response(MessageDetail.model_validate(body))

    @routes.route(
        "POST",
        "/api/v1/sms/inbound/{provider}",
        summary="SMS provider webhook for replies: STOP turns SMS marketing off, START back on",
        tag="notifications",
        response=InboundResult,
        errors={403: "invalid_signature", 404: "unknown_provider"},
    )
    async def inbound_sms(request: web.Request) -> web.Response:
        provider = path_value(request, "provider")
        raw = (await request.read()).decode("utf-8", "replace")
        signature = request.headers.get("X-Twilio-Signature") or request.headers.get("X-Regulars-Sms-Signature", "")
        url = request.app[SETTINGS].public_url.rstrip("/") + request.path_qs
        _, body = await _notifications(request).request(
            "POST",
            internal_path("/internal/sms/inbound/{provider}", provider=provider),
            principal=Principal(),
            json={"url": url, "body": raw, "content_type": request.content_type, "signature": signature},
        )
        return json_response(InboundResult.model_validate(body))
