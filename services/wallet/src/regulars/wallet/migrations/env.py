from regulars.shared.db.migrations import run_env
from regulars.wallet.adapters.tables import metadata

run_env(metadata)
