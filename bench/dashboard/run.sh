#!/usr/bin/env bash
# Dashboard benchmark, per storage provider: the relay (Release build) on a database seeded with
# 1,000,000 calls, timing the Core queries behind the event log and the overview inside the relay
# (50 runs each, after a warm-up run), against one scan of every payload: what any query without an
# index would cost. Reports p50/p95 per query and the relay's RSS while serving them. SQLite is
# seeded straight through sqlite3; PostgreSQL (a throwaway cluster, fsync on) gets the same calls
# by copy-to-postgres from that file, as an operator moving would. Then, signed in as an operator,
# the Events export (/events/export) of 100,000 and of all the calls, as CSV and NDJSON: the time
# and the relay's peak RSS during each, against its RSS before it, and the time against the
# database's own client writing the same rows (sqlite3 -csv, psql \copy ... CSV).
# Usage: bench/dashboard/run.sh [calls, default 1000000] [runs per query, default 50] [Sqlite, Postgres or both (default)]
set -euo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-1000000}
runs=${2:-50}
case "${3:-both}" in
  both) providers="Sqlite Postgres" ;;
  Sqlite | Postgres) providers=$3 ;;
  *) echo "Usage: bench/dashboard/run.sh [calls] [runs] [Sqlite|Postgres|both]" >&2; exit 2 ;;
esac
source bench/lib/postgres.sh
base="http://127.0.0.1:$(free_port)"
work=$(mktemp -d /tmp/userlist-bench-XXXXXX)
seeded="Data Source=$work/relay.db"
relay=
operator=bench@example.com
password="bench password 1"

command -v sqlite3 >/dev/null && command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 jq >/dev/null; }
[[ $providers == *Postgres* ]] && postgres_check
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

start_relay() { # provider connection-string
  Storage__Provider="$1" ConnectionStrings__Userlist="$2" Urls="$base" Bench__QueryEndpoints=true \
  Dashboard__AdminEmail="$operator" Dashboard__AdminPassword="$password" \
  Logging__LogLevel__Default=Warning \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >>"$work/relay.log" 2>&1 &
  relay=$!
  for _ in $(seq 1 150); do curl -sf -o /dev/null "$base/bench/queries" && return; sleep 0.2; done
  echo "The relay did not start; its log:" >&2; cat "$work/relay.log" >&2; exit 1
}
stop_relay() { [ -n "$relay" ] && kill "$relay" 2>/dev/null && wait "$relay" 2>/dev/null || true; relay=; }
trap 'stop_relay; rm -rf "$work"' EXIT

echo "Creating the database and seeding $calls calls..."
start_relay Sqlite "$seeded" && stop_relay
seed_started=$(date +%s)
sqlite3 -cmd ".parameter set :calls $calls" "$work/relay.db" < bench/dashboard/seed.sql >/dev/null
echo "Seeded in $(( $(date +%s) - seed_started )) s ($(du -m "$work/relay.db" | cut -f1) MB)."

time_queries() { # provider connection-string: the table of timings
  start_relay "$1" "$2"
  # The relay indexes the calls for free-text search in the background, as it does behind ingest.
  local index_started; index_started=$(date +%s)
  until [ "$(curl -sf "$base/bench/search-backlog")" = "0" ]; do sleep 1; done
  echo "$1: search index caught up in $(( $(date +%s) - index_started )) s." >&2

  echo 5 > "/proc/$relay/clear_refs" # peak RSS from here on: serving queries, not seeding
  local rows="" name encoded
  while IFS= read -r name; do
    encoded=$(jq -rn --arg v "$name" '$v|@uri')
    curl -sf "$base/bench/queries/run?name=$encoded&runs=1" >/dev/null # warm-up
    rows+=$(curl -sf "$base/bench/queries/run?name=$encoded&runs=$runs")$'\n'
  done < <(curl -sf "$base/bench/queries" | jq -r '.[]')
  local rss; rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$relay/status")
  time_exports "$1" >"$work/exports"
  stop_relay

  local baseline; baseline=$(jq -rs 'map(select(.name | startswith("baseline")))[0].p95' <<<"$rows")
  echo
  echo "Dashboard queries on $calls stored calls, $1, $runs runs each, $(nproc) cores; $(date -u +%Y-%m-%d)"
  echo
  echo "| query | p50 ms | p95 ms | p95 vs one scan of the payloads |"
  echo "|---|---|---|---|"
  jq -rs --argjson base "$baseline" '.[] | "| \(.name) | \(.p50 * 10 | round / 10) | \(.p95 * 10 | round / 10) | \(if (.name | startswith("baseline")) then "baseline" else "\(.p95 / $base * 1000 | round / 1000)" end) |"' <<<"$rows"
  echo
  echo "Peak RSS of the relay while serving them: $rss MB"
  cat "$work/exports"
}

sign_in() { # a session cookie in $work/cookies, by the sign-in form as a browser posts it
  local token
  token=$(curl -sf -c "$work/cookies" "$base/account/login" | grep -o '<input[^>]*__RequestVerificationToken[^>]*>' | grep -o 'value="[^"]*"' | cut -d'"' -f2)
  curl -sf -b "$work/cookies" -c "$work/cookies" -o /dev/null --data-urlencode "email=$operator" --data-urlencode "password=$password" \
    --data-urlencode "returnUrl=/" --data-urlencode "__RequestVerificationToken=$token" "$base/account/login"
}

rss_mb() { awk "/$1/ {print int(\$2/1024)}" "/proc/$relay/status"; }

baseline_export() { # provider identify|all csv|ndjson: the same rows by the database's own client, to $work/baseline
  local where="" columns
  if [ "$1" = Sqlite ]; then
    [ "$2" = identify ] && where="WHERE Type = 'identify'"
    columns="Id, ReceivedAt, Type, UserId, AnonymousId, GroupId, Event, Status, StatusReason, AttemptCount"
    [ "$3" = ndjson ] && columns=Payload
    sqlite3 -csv "$work/relay.db" "SELECT $columns FROM Messages $where ORDER BY Id DESC" >"$work/baseline"
  else
    [ "$2" = identify ] && where="WHERE \"Type\" = 'identify'"
    columns='"Id", "ReceivedAt", "Type", "UserId", "AnonymousId", "GroupId", "Event", "Status", "StatusReason", "AttemptCount"'
    [ "$3" = ndjson ] && columns='"Payload"'
    "$postgres_bin/psql" -q -h 127.0.0.1 -p "$postgres_port" -U postgres relay \
      -c "\\copy (SELECT $columns FROM \"Messages\" $where ORDER BY \"Id\" DESC) TO '$work/baseline' CSV"
  fi
}

time_exports() { # provider: the export table, with the relay running and its index caught up
  sign_in
  echo
  echo "Export from the Events page (newest first), $1:"
  echo
  echo "| export | calls | file MB | s | relay RSS before MB | peak RSS during MB | growth MB | baseline: the database's client, s |"
  echo "|---|---|---|---|---|---|---|---|"
  local format rows_of query rows seconds before peak started baseline
  for format in csv ndjson; do
    for rows_of in identify all; do
      query="format=$format"
      [ "$rows_of" = identify ] && query+="&type=identify"
      echo 5 > "/proc/$relay/clear_refs" # peak RSS from here: this export alone
      before=$(rss_mb VmRSS)
      seconds=$(curl -sf -b "$work/cookies" -o "$work/export" -w '%{time_total}' "$base/events/export?$query")
      peak=$(rss_mb VmHWM)
      rows=$(wc -l <"$work/export")
      [ "$format" = csv ] && rows=$(( rows - 1 ))
      started=$(date +%s%N)
      baseline_export "$1" "$rows_of" "$format"
      baseline=$(( ($(date +%s%N) - started) / 1000000 ))
      printf '| %s, %s | %s | %s | %.2f | %s | %s | %s | %s |\n' "${format^^}" "$([ "$rows_of" = identify ] && echo "type = identify" || echo "all calls")" \
        "$rows" "$(awk -v b="$(stat -c %s "$work/export")" 'BEGIN { printf "%.1f", b / 1048576 }')" "$seconds" "$before" "$peak" "$(( peak - before ))" \
        "$(printf '%d.%02d' $(( baseline / 1000 )) $(( baseline % 1000 / 10 )))"
    done
  done
}

for provider in $providers; do
  if [ "$provider" = Sqlite ]; then
    time_queries Sqlite "$seeded" >>"$work/tables"
    continue
  fi
  postgres_start
  target=$(postgres_database relay)
  copy_started=$(date +%s)
  ConnectionStrings__Userlist="$seeded" \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll copy-to-postgres "$target" >"$work/copy.log" \
    || { echo "copy-to-postgres failed:" >&2; cat "$work/copy.log" >&2; exit 1; }
  echo "Copied to PostgreSQL in $(( $(date +%s) - copy_started )) s." >&2
  time_queries Postgres "$target" >>"$work/tables"
done
cat "$work/tables"
