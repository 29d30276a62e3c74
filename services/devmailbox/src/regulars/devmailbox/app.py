"""SMTP server (aiosmtpd) and the web view (aiohttp), in one event loop."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from regulars.devmailbox.store import Mailbox, SmsBox

MAILBOX = web.AppKey("mailbox", Mailbox)
SMS_BOX = web.AppKey("sms_box", SmsBox)


class Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        self.mailbox.add(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], content)
        return "250 Message accepted for delivery"


async def list_messages(request: web.Request) -> web.Response:
    messages = list(request.app[MAILBOX].messages)
    to = request.query.get("to")
    if to:
        messages = [m for m in messages if any(to.lower() == r.lower() for r in m.to)]
    return web.json_response([m.as_json() for m in messages])


async def get_message(request: web.Request) -> web.Response:
    message = request.app[MAILBOX].find(request.match_info["id"])
    if message is None:
        return web.json_response({"error": {"code": "not_found", "message": "No such message."}}, status=404)
    return web.json_response(message.as_json())


async def delete_messages(request: web.Request) -> web.Response:
    request.app[MAILBOX].clear()
    return web.Response(status=204)


async def receive_sms(request: web.Request) -> web.Response:
    """The development SMS provider posts here: ``{"to", "from", "body", "message_id"}``."""
    try:
        data = await request.json()
        to, body = str(data["to"]), str(data["body"])
    except (ValueError, KeyError, TypeError):
        return web.json_response(
            {"error": {"code": "invalid_sms", "message": "Send JSON with to and body."}}, status=400
        )
    if not to or not body:
        return web.json_response({"error": {"code": "invalid_sms", "message": "to and body are required."}}, status=400)
    stored = request.app[SMS_BOX].add(to, str(data.get("from") or ""), body, data.get("message_id"))
    return web.json_response(stored.as_json(), status=201)


async def list_sms(request: web.Request) -> web.Response:
    found = list(request.app[SMS_BOX].messages)
    to = request.query.get("to")
    if to:
        found = [m for m in found if m.to == to]
    return web.json_response([m.as_json() for m in found])


async def delete_sms(request: web.Request) -> web.Response:
    request.app[SMS_BOX].clear()
    return web.Response(status=204)


async def index(request: web.Request) -> web.Response:
    rows = "".join(
        f"<tr><td>{html.escape(m.received_at)}</td><td>{html.escape(', '.join(m.to))}</td>"
        f"<td><a href='/messages/{m.id}'>{html.escape(m.subject) or '(no subject)'}</a></td></tr>"
        for m in request.app[MAILBOX].messages
    )
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Regulars dev mailbox</title>"
        "<meta http-equiv='refresh' content='5'></head><body><h1>Dev mailbox</h1>"
        "<p>JSON: <a href='/api/messages'>/api/messages</a> · SMS: <a href='/api/sms'>/api/sms</a></p>"
        "<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
    return web.Response(text=body, content_type="text/html")


async def show(request: web.Request) -> web.Response:
    message = request.app[MAILBOX].find(request.match_info["id"])
    if message is None:
        raise web.HTTPNotFound()
    content = message.html or f"<pre>{html.escape(message.text)}</pre>"
    # Shown in a sandboxed frame: a test mail must not run script in the mailbox's origin.
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(message.subject)}</title></head><body>"
        f"<p><a href='/'>All messages</a></p><h1>{html.escape(message.subject)}</h1>"
        f"<p>To {html.escape(', '.join(message.to))} from {html.escape(message.mail_from)}</p>"
        f"<iframe sandbox style='width:100%;height:80vh' srcdoc=\"{html.escape(content, quote=True)}\"></iframe>"
        "</body></html>"
    )
    return web.Response(text=body, content_type="text/html")


def build_app(mailbox: Mailbox, smtp_host: str, smtp_port: int, sms_box: SmsBox | None = None) -> web.Application:
    app = web.Application()
    app[MAILBOX] = mailbox
    app[SMS_BOX] = sms_box if sms_box is not None else SmsBox()

    async def smtp_server(app: web.Application) -> Any:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(Handler(mailbox), enable_SMTPUTF8=True), smtp_host, smtp_port)
        yield
        server.close()
        await server.wait_closed()

    app.cleanup_ctx.append(smtp_server)
    app.router.add_get("/", index)
    app.router.add_get("/messages/{id}", show)
    app.router.add_get("/api/messages", list_messages)
    app.router.add_delete("/api/messages", delete_messages)
    app.router.add_get("/api/messages/{id}", get_message)
    app.router.add_post("/api/sms", receive_sms)
    app.router.add_get("/api/sms", list_sms)
    app.router.add_delete("/api/sms", delete_sms)
    return app
