"""The wallet service as a process."""

from aiohttp import web

from regulars.shared.http.domain_errors import domain_errors
from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer
from regulars.wallet.entrypoints.ledger_http import setup_ledger_routes


def setup_routes(app: web.Application) -> None:
    app.middlewares.append(domain_errors)
    setup_ledger_routes(app)


SERVICE = Service(
    name="wallet",
    migrations="regulars.wallet.migrations",
    setup_routes=setup_routes,
    consumers=lambda settings: [business_projection_consumer("wallet")],
)
