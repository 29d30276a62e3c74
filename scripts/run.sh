#!/usr/bin/env bash
# `make run`: prepare, seed the demo, start every process (Ctrl-C stops them all).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prepare.sh
export REGULARS_LOG_JSON=${REGULARS_LOG_JSON:-false}
.venv/bin/python -m regulars.identity demo seed --out var/demo.json >/dev/null
echo "[run] demo data written to var/demo.json"
export PATH="$PWD/.venv/bin:$PATH"
# The demo catalog waits for the businesses to reach appointments (by event, once it runs).
(python -m regulars.appointments demo seed --wait 180 >var/appointments-demo.log 2>&1 &)
exec honcho --no-colour start -f Procfile
