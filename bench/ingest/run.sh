#!/usr/bin/env bash
# Ingest benchmark: the relay (Release build) under 64 concurrent connections over loopback, as
# single calls (/v1/track) and batches of 100 (/v1/batch), each against the same load on a bare
# endpoint of the same app that parses the JSON and answers without storing.
# Usage: bench/ingest/run.sh [seconds per scenario, default 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
port=5090
key=bench_key
auth="Basic $(printf '%s:' "$key" | base64)"
work=$(mktemp -d /tmp/userlist-bench-XXXXXX)

command -v wrk >/dev/null && command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk sqlite3 >/dev/null; }
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

ConnectionStrings__Userlist="Data Source=$work/bench.db" Urls="http://127.0.0.1:$port" \
Ingest__WriteKeys__0="$key" Bench__BareEndpoint=true Logging__LogLevel__Default=Warning \
  dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >"$work/relay.log" 2>&1 &
relay=$!
trap 'kill $relay 2>/dev/null; wait $relay 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done

stored() { sqlite3 "$work/bench.db" "SELECT count(*) FROM Messages"; }

run() { # name path calls-per-request
  echo 5 > "/proc/$relay/clear_refs" # reset the peak RSS so each scenario reports its own
  local before; before=$(stored)
  wrk -t2 -c64 -d"${seconds}s" --latency -s bench/ingest/calls.lua "http://127.0.0.1:$port" -- "$2" "$3" "$auth" >"$work/$1.txt"
  local line; line=$(grep '^RESULT' "$work/$1.txt")
  local requests; requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  local secs; secs=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$line")
  local rss; rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$relay/status")
  local calls; calls=$(awk -v r="$requests" -v n="$3" -v s="$secs" 'BEGIN {printf "%d", r*n/s}')
  echo "$1 $calls $(sed -E 's/.*failures=([0-9]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3/' <<<"$line") $rss $(( $(stored) - before ))"
}

echo "Warming up..."
wrk -t2 -c64 -d5s -s bench/ingest/calls.lua "http://127.0.0.1:$port" -- /v1/track 1 "$auth" >/dev/null
wrk -t2 -c64 -d5s -s bench/ingest/calls.lua "http://127.0.0.1:$port" -- /bench/bare/track 1 "$auth" >/dev/null

results=$(
  run single /v1/track 1
  run single-bare /bench/bare/track 1
  run batch100 /v1/batch 100
  run batch100-bare /bench/bare/batch 100
)

echo
echo "Ingest, ${seconds}s per scenario, 64 connections, $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
awk '
  { calls[$1]=$2; fail[$1]=$3; p50[$1]=$4; p99[$1]=$5; rss[$1]=$6; stored[$1]=$7 }
  END {
    print "| scenario | calls/s | p50 ms | p99 ms | failed requests | peak RSS MB | rows stored | vs bare endpoint |"
    print "|---|---|---|---|---|---|---|---|"
    split("single single-bare batch100 batch100-bare", order, " ")
    for (i = 1; i <= 4; i++) {
      s = order[i]; bare = s ~ /-bare$/
      ratio = bare ? "baseline" : sprintf("%.2f", calls[s] / calls[s "-bare"])
      printf "| %s | %d | %s | %s | %d | %d | %s | %s |\n", s, calls[s], p50[s], p99[s], fail[s], rss[s], bare ? "-" : stored[s], ratio
    }
  }' <<<"$results"
