"""The identity service as a process."""

from regulars.identity.entrypoints.cli import add_commands
from regulars.identity.entrypoints.http import setup_routes
from regulars.identity.service_layer.jobs import prune_expired, purge_unverified
from regulars.shared.service import Service

SERVICE = Service(
    name="identity",
    migrations="regulars.identity.migrations",
    setup_routes=setup_routes,
    add_commands=add_commands,
    jobs={"purge-unverified": purge_unverified, "prune-expired": prune_expired},
)
