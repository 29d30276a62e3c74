"""Notifications: the client's preferences, unsubscribe links, marketing sends, the dispatch log, SMS webhooks."""

from __future__ import annotations

from aiohttp import web
from pydantic import ValidationError

from regulars.gateway.auth import require_business_key, require_client
from regulars.gateway.clients.notifications import NotificationsClient
from regulars.gateway.keys import SETTINGS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.paths import path_uuid, path_value
from regulars.gateway.tenancy import visitor
from regulars.shared.contracts import notifications as contract
from regulars.shared.http.app import json_response, parse_body
from regulars.shared.http.errors import ApiError

TAG = "notifications"
PREFERENCES = "/api/v1/b/{business}/me/notification-preferences"
UNSUBSCRIBE = "/api/v1/b/{business}/unsubscribe"
ADMIN = "/api/v1/admin/businesses/{business}/messages"
SIGNED_IN = {401: "not_signed_in", 403: "csrf_failed (cookie sessions send X-CSRF-Token)"}
ADMIN_ERRORS = {401: "invalid_api_key", 404: "business_not_found: the key belongs to another business."}
LINK_ERRORS = {400: "invalid_token", 404: "business_not_found"}


def invalid_link() -> ApiError:
    return ApiError(400, "invalid_token", "This unsubscribe link is not valid.")


async def _unsubscribe_request(request: web.Request) -> contract.UnsubscribeRequest:
    """From a JSON body ``{"token"}`` (the widget) or the query (RFC 8058 one-click POST from a mail client)."""
    content_type = request.content_type
    if content_type == "application/json":
        return await parse_body(request, contract.UnsubscribeRequest)
    if content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        if form.get("List-Unsubscribe") not in (None, "One-Click"):
            raise ApiError(400, "bad_request", "Expected List-Unsubscribe=One-Click.")
    try:
        return contract.UnsubscribeRequest(token=request.query.get("token", ""))
    except ValidationError as exc:
        raise invalid_link() from exc


async def get_notification_preferences(request: web.Request) -> web.Response:
    client = await require_client(request)
    return json_response(await NotificationsClient.of(request).preferences(client.principal))


async def put_notification_preferences(request: web.Request) -> web.Response:
    client = await require_client(request)
    matrix = await parse_body(request, contract.PreferenceMatrix)
    return json_response(await NotificationsClient.of(request).set_preferences(client.principal, matrix))


async def describe_unsubscribe(request: web.Request) -> web.Response:
    principal = await visitor(request)
    token = request.query.get("token", "")
    if len(token) < 10:
        raise invalid_link()
    return json_response(await NotificationsClient.of(request).describe_unsubscribe(principal, token))


async def post_unsubscribe(request: web.Request) -> web.Response:
    principal = await visitor(request)
    unsubscribe = await _unsubscribe_request(request)
    return json_response(await NotificationsClient.of(request).unsubscribe(principal, unsubscribe))


async def send_marketing_message(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    message = await parse_body(request, contract.MarketingMessageRequest)
    return json_response(await NotificationsClient.of(request).send_marketing(business, message), status=202)


async def list_outgoing_messages(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    query = {k: v for k, v in request.query.items() if k in ("status", "account_id", "limit")}
    return json_response(await NotificationsClient.of(request).messages(business, query))


async def get_outgoing_message(request: web.Request) -> web.Response:
    business = await require_business_key(request)
    message_id = path_uuid(request, "message_id")
    return json_response(await NotificationsClient.of(request).message(business, message_id))


async def inbound_sms(request: web.Request) -> web.Response:
    provider = path_value(request, "provider")
    webhook = contract.InboundWebhook(
        url=request.app[SETTINGS].public_url.rstrip("/") + request.path_qs,
        body=(await request.read()).decode("utf-8", "replace"),
        content_type=request.content_type,
        signature=request.headers.get("X-Twilio-Signature") or request.headers.get("X-Regulars-Sms-Signature", ""),
    )
    return json_response(await NotificationsClient.of(request).inbound_sms(provider, webhook))


def register(routes: ApiRoutes) -> None:
    routes.route(
        "GET", PREFERENCES, summary="The signed-in client's notification preferences at this business (R-N1)",
        tag=TAG, response=contract.NotificationPreferences, errors=SIGNED_IN,
    )(get_notification_preferences)  # fmt: skip
    routes.route(
        "PUT", PREFERENCES,
        summary="Replace the client's matrix channel x category; emits notifications.preferences.changed.v1",
        tag=TAG, request=contract.PreferenceMatrix, response=contract.NotificationPreferences,
        errors={**SIGNED_IN, 422: "validation_error"},
    )(put_notification_preferences)  # fmt: skip
    routes.route(
        "GET", UNSUBSCRIBE, summary="What an unsubscribe link would turn off; changes nothing (mail scanners "
        "follow links)", tag=TAG, response=contract.UnsubscribeDescription, errors=LINK_ERRORS,
    )(describe_unsubscribe)  # fmt: skip
    routes.route(
        "POST", UNSUBSCRIBE,
        summary="Unsubscribe with a signed token: JSON {token}, or RFC 8058 one-click (token in the query)",
        tag=TAG, request=contract.UnsubscribeRequest, response=contract.UnsubscribeDescription, errors=LINK_ERRORS,
    )(post_unsubscribe)  # fmt: skip
    routes.route(
        "POST", ADMIN, summary="Send a marketing message to one client or to every client who opted in", tag=TAG,
        request=contract.MarketingMessageRequest, response=contract.MarketingMessageResult, status=202,
        errors={**ADMIN_ERRORS, 422: "validation_error"},
    )(send_marketing_message)  # fmt: skip
    routes.route(
        "GET", ADMIN, summary="The business's newest outgoing messages (filters: status, account_id, limit)",
        tag=TAG, response=contract.MessageList, errors=ADMIN_ERRORS,
    )(list_outgoing_messages)  # fmt: skip
    routes.route(
        "GET", ADMIN + "/{message_id}",
        summary="One outgoing message with its dispatch log: every decision and attempt, and why", tag=TAG,
        response=contract.MessageDetail, errors={**ADMIN_ERRORS, 404: "business_not_found or message_not_found"},
    )(get_outgoing_message)  # fmt: skip
    routes.route(
        "POST", "/api/v1/sms/inbound/{provider}",
        summary="SMS provider webhook for replies: STOP turns SMS marketing off, START back on", tag=TAG,
        response=contract.InboundResult, errors={403: "invalid_signature", 404: "unknown_provider"},
    )(inbound_sms)  # fmt: skip
