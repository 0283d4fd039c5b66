#!/usr/bin/env bash
# Soak: ingest under load while the dispatcher delivers and the dashboard queries. The relay
# (Release) takes single calls from 64 connections (wrk) for the given time, delivers to a fake
# Userlist (node, 20 ms per request) at 60,000 requests a minute, and answers the event log's and
# the overview's queries once a second. Reports throughput, failed requests (a "database is
# locked" would be one: it reaches a client only as a 503) and the relay's RSS every 30 s. The
# per-key ingest limit is off: at full speed one write key passes its 10,000 requests a second at
# moments, and the 429s it answers then (by design) are not what the soak measures.
# Usage: bench/soak/run.sh [seconds, default 300]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
relay_port=5098
fake_port=5099
key=bench_key
auth="Basic $(printf '%s:' "$key" | base64)"
work=$(mktemp -d /tmp/userlist-soak-XXXXXX)
relay_url="http://127.0.0.1:$relay_port"

command -v wrk >/dev/null && command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk sqlite3 >/dev/null; }
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
node bench/forward/fake-userlist.mjs "$fake_port" 20 1000000 & pids+=($!)
ConnectionStrings__Userlist="Data Source=$work/relay.db" Urls="$relay_url" Ingest__WriteKeys__0="$key" \
Userlist__PushApiUrl="http://127.0.0.1:$fake_port" Userlist__PushKey=push_key Userlist__RequestsPerMinute=60000 \
Bench__QueryEndpoints=true Logging__LogLevel__Default=Warning Ingest__RequestsPerSecondPerKey=0 \
  dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >"$work/relay.log" 2>&1 & relay=$!; pids+=($relay)
for _ in $(seq 1 100); do curl -sf -o /dev/null "$relay_url/bench/queries" && break; sleep 0.2; done

# The dashboard's reader: the log's first page, a user filter and the overview, every second.
( while true; do
    for q in "log%20first%20page" "log%2C%20user%20filter" "overview%20aggregates" "counts%20by%20status"; do
      curl -sf "$relay_url/bench/queries/run?name=$q&runs=1" >/dev/null || echo "dashboard query failed" >>"$work/dashboard-errors"
    done
    sleep 1
  done ) & pids+=($!)

# RSS every 30 s.
( while true; do awk '/VmRSS/ {print int($2/1024)}' "/proc/$relay/status" >>"$work/rss"; sleep 30; done ) & pids+=($!)

# wrk runs at a higher priority: on two cores it shares the CPUs with the relay it measures, and
# left to the scheduler its own delays would count as the relay's (clients run elsewhere in use).
nice -n -10 wrk -t2 -c64 -d"${seconds}s" --latency -s bench/ingest/calls.lua "$relay_url" -- /v1/track 1 "$auth" >"$work/wrk.txt"
line=$(grep '^RESULT' "$work/wrk.txt")
# The relay's own view (Kestrel's request duration histogram at /metrics): answers by status, and
# the time from a request's arrival to its answer, without the client's side.
curl -sf "$relay_url/metrics" >"$work/metrics.txt" || true
answers=$(grep '^http_server_request_duration_seconds_count' "$work/metrics.txt" | grep 'v1/track' \
  | sed -E 's/.*status_code="([0-9]+)".*\} ([0-9]+).*/\1: \2/' | paste -sd' ')
server=$(grep '^http_server_request_duration_seconds_bucket' "$work/metrics.txt" | grep 'v1/track' | grep 'status_code="200"' \
  | sed -E 's/.*le="([^"]+)"\} ([0-9]+).*/\1 \2/' | awk '{ le[NR] = $1; n[NR] = $2 } END {
      total = n[NR]; for (i = 1; i <= NR; i++) { if (!p99 && n[i] >= total * 0.99) p99 = le[i]; if (!p999 && n[i] >= total * 0.999) p999 = le[i] }
      printf "p99 <= %s s, p99.9 <= %s s", p99, p999 }')
stored=$(sqlite3 "$work/relay.db" "SELECT count(*) FROM Messages")
delivered=$(sqlite3 "$work/relay.db" "SELECT count(*) FROM Messages WHERE Status = 3")
locked=$(grep -ci "database is locked" "$work/relay.log" || true)

echo
echo "Soak, ${seconds}s, 64 connections sending single calls, delivery at 60,000/min, dashboard queries every second; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "$line" | awk -v s="$stored" -v d="$delivered" '{
  match($0, /requests=[0-9]+/); r = substr($0, RSTART + 9, RLENGTH - 9)
  match($0, /seconds=[0-9.]+/); t = substr($0, RSTART + 8, RLENGTH - 8)
  match($0, /failures=[0-9]+/); f = substr($0, RSTART + 9, RLENGTH - 9)
  match($0, /p50_ms=[0-9.]+/); p50 = substr($0, RSTART + 7, RLENGTH - 7)
  match($0, /p99_ms=[0-9.]+/); p99 = substr($0, RSTART + 7, RLENGTH - 7)
  match($0, /p999_ms=[0-9.]+/); p999 = substr($0, RSTART + 8, RLENGTH - 8)
  match($0, /max_ms=[0-9.]+/); mx = substr($0, RSTART + 7, RLENGTH - 7)
  printf "| calls/s | failed requests | p50 ms | p99 ms | p99.9 ms | slowest ms | calls stored | delivered during the soak |\n|---|---|---|---|---|---|---|---|\n| %d | %d | %s | %s | %s | %s | %d | %d |\n", r / t, f, p50, p99, p999, mx, s, d }'
echo
echo "\"database is locked\" in the relay's log: $locked; dashboard queries failed: $( [ -f "$work/dashboard-errors" ] && wc -l <"$work/dashboard-errors" || echo 0)"
echo "Failed requests by kind (wrk): $(grep '^ERRORS' "$work/wrk.txt" | cut -d' ' -f2-)"
echo "Answers by status (relay): $answers; stored calls answered within (relay's histogram buckets): $server"
echo "RSS every 30 s (MB): $(paste -sd' ' "$work/rss")"
