"""The notifications service as a process."""

from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer

SERVICE = Service(
    name="notifications",
    migrations="regulars.notifications.migrations",
    consumers=lambda: [business_projection_consumer("notifications")],
)
