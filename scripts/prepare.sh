#!/usr/bin/env bash
# Everything before the processes start: venv, PostgreSQL and RabbitMQ, databases
# and migrations, demo data. Shared by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh
scripts/infra.sh all
for service in identity appointments wallet notifications; do
  .venv/bin/python -m regulars.$service migrate
done
