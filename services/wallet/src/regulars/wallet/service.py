"""The wallet service as a process."""

from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer

SERVICE = Service(
    name="wallet",
    migrations="regulars.wallet.migrations",
    consumers=lambda settings: [business_projection_consumer("wallet")],
)
