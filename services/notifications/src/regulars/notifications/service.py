"""The notifications service as a process."""

from aiohttp import web

from regulars.notifications.entrypoints.appointment_messages import appointment_messages_consumer
from regulars.notifications.entrypoints.background import courier_context, dispatch_due_job
from regulars.notifications.entrypoints.cli import add_commands
from regulars.notifications.entrypoints.consumers import contacts_consumer, identity_messages_consumer
from regulars.notifications.entrypoints.http import add_routes
from regulars.shared.messaging.consumer import EventConsumer
from regulars.shared.service import Service
from regulars.shared.settings import Settings
from regulars.shared.tenancy import business_projection_consumer


def setup(app: web.Application) -> None:
    # Appended after the engine's context, so the courier starts once the engine exists.
    app.cleanup_ctx.append(courier_context)
    add_routes(app)


def consumers(settings: Settings) -> list[EventConsumer]:
    return [
        business_projection_consumer("notifications"),
        contacts_consumer(),
        identity_messages_consumer(settings),
        appointment_messages_consumer(settings),
    ]


SERVICE = Service(
    name="notifications",
    migrations="regulars.notifications.migrations",
    setup_routes=setup,
    consumers=consumers,
    jobs={"dispatch-due": dispatch_due_job},
    add_commands=add_commands,
)
