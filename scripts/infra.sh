#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ are reachable, and that the project's own
# PostgreSQL role exists. Starts them when installed but stopped; installs the
# Debian packages when missing. Never relies on trust auth: the role is created
# through the local socket as the postgres user, and we connect with a password.
set -euo pipefail

DB_HOST=${REGULARS_DB_HOST:-127.0.0.1}
DB_PORT=${REGULARS_DB_PORT:-5432}
DB_USER=${REGULARS_DB_USER:-regulars}
DB_PASSWORD=${REGULARS_DB_PASSWORD:-regulars}
AMQP_HOST=${REGULARS_AMQP_HOST:-127.0.0.1}
AMQP_PORT=${REGULARS_AMQP_PORT:-5672}

say() { printf '[infra] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
is_local() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ]; }

apt_install() {
  say "installing Debian packages: $*"
  if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock || true)" ]; then
    as_root apt-get update -q
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
    || { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }
}

wait_port() {  # host port seconds what
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  say "$4 did not open $1:$2 within $3 s"; return 1
}

ensure_postgres() {
  if port_open "$DB_HOST" "$DB_PORT"; then
    say "PostgreSQL is up on $DB_HOST:$DB_PORT"
  elif is_local "$DB_HOST"; then
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    for version in $(ls /etc/postgresql); do
      say "starting PostgreSQL $version"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    wait_port "$DB_HOST" "$DB_PORT" 60 PostgreSQL
  else
    say "PostgreSQL at $DB_HOST:$DB_PORT is not reachable"; return 1
  fi
  ensure_role
}

ensure_role() {
  if PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  is_local "$DB_HOST" || { say "cannot sign in to PostgreSQL as $DB_USER"; return 1; }
  say "creating PostgreSQL role $DB_USER (through the local socket)"
  local sql="DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
      CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    ELSE
      ALTER ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    END IF; END \$\$;"
  as_root runuser -u postgres -- psql -p "$DB_PORT" -qc "$sql" >/dev/null
  PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atqc 'SELECT 1' >/dev/null
}

ensure_rabbitmq() {
  if port_open "$AMQP_HOST" "$AMQP_PORT"; then
    say "RabbitMQ is up on $AMQP_HOST:$AMQP_PORT"; return 0
  fi
  is_local "$AMQP_HOST" || { say "RabbitMQ at $AMQP_HOST:$AMQP_PORT is not reachable"; return 1; }
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  say "starting RabbitMQ"
  as_root rabbitmq-server -detached || true
  wait_port "$AMQP_HOST" "$AMQP_PORT" 120 RabbitMQ
  as_root rabbitmqctl await_startup >/dev/null 2>&1 || true
}

ensure_test_tools() {
  # Browser tests drive Debian's Chromium; a test checks docker-compose.yml with docker-compose.
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  ensure_node_tools
}

ensure_node_tools() {
  # axe-core, injected into widget pages by the browser tests, and eslint, run over the widget by
  # `make lint` (pinned by tests/browser/package-lock.json).
  command -v npm >/dev/null || apt_install npm
  local browser_tests want
  browser_tests="$(dirname "$0")/../tests/browser"
  want=$(sha256sum "$browser_tests/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$browser_tests/node_modules/.installed" 2>/dev/null)" != "$want" ]; then
    say "installing browser-test tools (npm ci in tests/browser)"
    npm ci --prefix "$browser_tests" --no-audit --no-fund --loglevel=error
    echo "$want" > "$browser_tests/node_modules/.installed"
  fi
}

case "${1:-all}" in
  all) ensure_postgres; ensure_rabbitmq ;;
  postgres) ensure_postgres ;;
  rabbitmq) ensure_rabbitmq ;;
  test-tools) ensure_test_tools ;;
  node-tools) ensure_node_tools ;;
  *) echo "usage: $0 [all|postgres|rabbitmq|test-tools|node-tools]" >&2; exit 2 ;;
esac
