from regulars.appointments.adapters.tables import metadata
from regulars.shared.db.migrations import run_env

run_env(metadata)
