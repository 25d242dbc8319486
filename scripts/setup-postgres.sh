#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the SQL tests and prints how to reach it.
#
#   scripts/setup-postgres.sh            # prints PGHOST=..., PGPORT=..., PGUSER=..., PGDATA=..., PGBIN=...
#   scripts/setup-postgres.sh --stop DIR # stops the cluster whose data folder is DIR
#
# Idempotent: installs Debian's `postgresql` package only when no server binaries are found,
# creates a fresh cluster in a temporary folder owned by the `postgres` user (initdb refuses to run
# as root), listens on a free loopback port only, trusts local connections (tests only), and waits
# until the server accepts connections. Exits non-zero with the reason when anything fails.
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  dir="${2:?--stop needs the data folder}"
  bin="$(find_bin)" || { echo "setup-postgres: no PostgreSQL binaries found" >&2; exit 1; }
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! bin="$(find_bin)"; then
  echo "setup-postgres: installing postgresql (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || { echo "setup-postgres: apt-get update failed" >&2; exit 1; }
  apt-get install -y -qq postgresql >&2 || { echo "setup-postgres: apt-get install postgresql failed" >&2; exit 1; }
  bin="$(find_bin)" || { echo "setup-postgres: postgresql installed but initdb/pg_ctl not found" >&2; exit 1; }
fi

if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres >&2 || { echo "setup-postgres: cannot create the postgres user" >&2; exit 1; }
fi

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
dir="$(mktemp -d /tmp/af-postgres-XXXXXX)"
chmod 755 "$dir"
[ "$(id -u)" = "0" ] && chown postgres "$dir"
as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || as_postgres "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { echo "setup-postgres: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 1; }
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off" start >/dev/null \
  || { echo "setup-postgres: the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }

echo "PGHOST=127.0.0.1"
echo "PGPORT=$port"
echo "PGUSER=postgres"
echo "PGDATABASE=postgres"
echo "PGDIR=$dir"
echo "PGBIN=$bin"
