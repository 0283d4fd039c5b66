#!/usr/bin/env bash
# Moving benchmark: copy-to-postgres (Release build) on a SQLite database seeded with 1,000,000 calls
# as bench/dashboard seeds it (mixed types and statuses, an attempt for every call sent), into an
# empty database on a throwaway PostgreSQL cluster (fsync on, as the tests run it). Prints the
# command's output and the calls copied per second.
# Usage: bench/move/run.sh [calls, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-1000000}
source bench/lib/postgres.sh
base="http://127.0.0.1:$(free_port)"
work=$(mktemp -d /tmp/userlist-bench-XXXXXX)
relay=

command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
postgres_check
trap '[ -n "$relay" ] && kill "$relay" 2>/dev/null; rm -rf "$work"' EXIT
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

postgres_start
target=$(postgres_database relay)

echo
started=$(date +%s.%N)
ConnectionStrings__Userlist="Data Source=$work/relay.db" \
  dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll copy-to-postgres "$target"
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
echo
echo "copy-to-postgres: $calls calls in $(printf '%.1f' "$elapsed") s including the process start," \
  "$(echo "$calls / $elapsed" | bc) calls/s; $(nproc) cores; $(date -u +%Y-%m-%d)"
