"""The appointments service as a process."""

from aiohttp import web

from regulars.appointments.entrypoints.admin_http import setup_admin_routes
from regulars.appointments.entrypoints.cli import add_commands
from regulars.appointments.entrypoints.http import setup_client_routes
from regulars.appointments.entrypoints.messaging import client_accounts_consumer
from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer


def setup_routes(app: web.Application) -> None:
    setup_client_routes(app)
    setup_admin_routes(app)


SERVICE = Service(
    name="appointments",
    migrations="regulars.appointments.migrations",
    setup_routes=setup_routes,
    add_commands=add_commands,
    consumers=lambda settings: [business_projection_consumer("appointments"), client_accounts_consumer()],
)
