"""The appointments service as a process."""

from regulars.shared.service import Service
from regulars.shared.tenancy import business_projection_consumer

SERVICE = Service(
    name="appointments",
    migrations="regulars.appointments.migrations",
    consumers=lambda: [business_projection_consumer("appointments")],
)
