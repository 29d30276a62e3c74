#!/usr/bin/env bash
# Create .venv and install every deployable (editable) plus the tools.
# Re-installs only when requirements-dev.txt or a pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.installed
want=$(cat requirements-dev.txt shared/pyproject.toml services/*/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "[venv] python3 -m venv failed; installing Debian's python3-venv"
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q python3-venv; else sudo apt-get install -y -q python3-venv; fi
    "$PYTHON" -m venv .venv
  }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
echo "$want" > "$stamp"
echo "[venv] ready"
