#!/usr/bin/env bash
# Moving benchmark: copy-to-postgres (Release build) on a SQLite database seeded with 1,000,000 calls
# as bench/dashboard seeds it (mixed types and statuses, an attempt for every call sent), into an
# empty database on a throwaway PostgreSQL cluster (fsync on, as the tests run it). Prints the
# command's output and the calls copied per second.
# Usage: bench/move/run.sh [calls, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-1000000}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
work=$(mktemp -d /tmp/userlist-bench-XXXXXX)
cluster=$(mktemp -d /tmp/userlist-bench-pg-XXXXXX)
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
relay=

command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
# PostgreSQL refuses to run as root: then its programs run as the postgres user.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$relay" ] && kill "$relay" 2>/dev/null || true
  as_postgres "$bin/pg_ctl" stop -D "$cluster/data" -m immediate -w >/dev/null 2>&1 || true
  rm -rf "$work" "$cluster"
}
trap cleanup EXIT
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

echo "Creating the database and seeding $calls calls..."
ConnectionStrings__Userlist="Data Source=$work/relay.db" Urls="$base" Logging__LogLevel__Default=Warning \
  dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >>"$work/relay.log" 2>&1 &
relay=$!
for _ in $(seq 1 150); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.2; done
kill "$relay" && wait "$relay" 2>/dev/null || true
relay=
sqlite3 -cmd ".parameter set :calls $calls" "$work/relay.db" < bench/dashboard/seed.sql >/dev/null
echo "Seeded: $(du -m "$work/relay.db" | cut -f1) MB."

[ "$(id -u)" = 0 ] && chown postgres: "$cluster"
as_postgres "$bin/initdb" -D "$cluster/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
as_postgres "$bin/pg_ctl" start -D "$cluster/data" -l "$cluster/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$cluster" >/dev/null
as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres relay

echo
started=$(date +%s.%N)
ConnectionStrings__Userlist="Data Source=$work/relay.db" \
  dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll copy-to-postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=relay"
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
echo
echo "copy-to-postgres: $calls calls in $(printf '%.1f' "$elapsed") s including the process start," \
  "$(echo "$calls / $elapsed" | bc) calls/s; $(nproc) cores; $(date -u +%Y-%m-%d)"
