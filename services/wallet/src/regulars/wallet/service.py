"""The wallet service as a process."""

from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer
from regulars.wallet.entrypoints.ledger_http import setup_ledger_routes

SERVICE = Service(
    name="wallet",
    migrations="regulars.wallet.migrations",
    setup_routes=setup_ledger_routes,
    consumers=lambda settings: [business_projection_consumer("wallet")],
)
