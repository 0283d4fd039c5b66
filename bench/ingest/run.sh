#!/usr/bin/env bash
# Ingest benchmark, per storage provider: the relay (Release build) under 64 concurrent connections
# over loopback, as single calls (/v1/track) and batches of 100 (/v1/batch). Each is set against
# the same load on a bare endpoint of the same app that parses the JSON and answers without storing,
# and against the provider's storage ceiling measured in the same run: ingest's rows inserted into
# the relay's own schema by a plain loop, 10,000 per durable commit (/bench/ceiling, on a database of
# its own so its rows are not counted as ingest's). Only calls answered 200 count; the per-key
# limit is off, as its 429s at this rate are by design. PostgreSQL runs on a throwaway cluster
# (fsync on), and there two relays on one database also take 32 connections each at once.
# Usage: bench/ingest/run.sh [seconds per scenario, default 20] [Sqlite, Postgres or both (default)]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
case "${2:-both}" in
  both) providers="Sqlite Postgres" ;;
  Sqlite | Postgres) providers=$2 ;;
  *) echo "Usage: bench/ingest/run.sh [seconds] [Sqlite|Postgres|both]" >&2; exit 2 ;;
esac
key=bench_key
auth="Basic $(printf '%s:' "$key" | base64)"
work=$(mktemp -d /tmp/userlist-bench-XXXXXX)
source bench/lib/postgres.sh

command -v wrk >/dev/null && command -v sqlite3 >/dev/null && command -v jq >/dev/null \
  || { apt-get update -qq && apt-get install -y -qq wrk sqlite3 jq >/dev/null; }
[[ $providers == *Postgres* ]] && postgres_check
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

relays=()
stop_relays() {
  [ ${#relays[@]} -eq 0 ] && return
  kill "${relays[@]}" 2>/dev/null || true
  wait "${relays[@]}" 2>/dev/null || true
  relays=()
}
trap 'stop_relays; rm -rf "$work"' EXIT

start_relay() { # provider connection-string log-name; sets pid and url
  url="http://127.0.0.1:$(free_port)"
  Storage__Provider="$1" ConnectionStrings__Userlist="$2" Urls="$url" Ingest__WriteKeys__0="$key" \
  Ingest__RequestsPerSecondPerKey=0 Bench__BareEndpoint=true Logging__LogLevel__Default=Warning \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >>"$work/$3.log" 2>&1 &
  pid=$!
  relays+=("$pid")
  for _ in $(seq 1 150); do curl -sf -o /dev/null "$url/healthz" && return; sleep 0.2; done
  echo "The relay did not start; its log:" >&2; cat "$work/$3.log" >&2; exit 1
}

load() { # url path calls-per-request connections threads seconds output [messageId tag]
  wrk -t"$5" -c"$4" -d"$6" --latency -s bench/ingest/calls.lua "$1" -- "$2" "$3" "$auth" "${8:-}" >"$7"
}
peak_rss() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status"; }
reset_rss() { for p in "$@"; do echo 5 >"/proc/$p/clear_refs"; done; } # each scenario reports its own peak

# One scenario's line: name calls/s failed p50 p99 rss stored acknowledged. calls/s and
# acknowledged count only 200s; with two wrk outputs they are summed, latencies the worse of the two.
scenario() { # name calls-per-request rows-before rss wrk-output...
  local name=$1 per=$2 before=$3 rss=$4; shift 4
  awk -v name="$name" -v per="$per" -v rss="$rss" -v stored=$(( $(stored) - before )) '
    /^RESULT/ {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      calls += v["ok"] * per / v["seconds"]; acked += v["ok"] * per; failed += v["failures"]
      if (v["p50_ms"] + 0 > p50) p50 = v["p50_ms"] + 0; if (v["p99_ms"] + 0 > p99) p99 = v["p99_ms"] + 0
    }
    END { printf "%s %d %d %s %s %s %d %d\n", name, calls, failed, p50, p99, rss, stored, acked }' "$@"
}

run() { # name path calls-per-request
  reset_rss "$pid"
  local before; before=$(stored)
  load "$url" "$2" "$3" 64 2 "${seconds}s" "$work/$1.txt"
  scenario "$1" "$3" "$before" "$(peak_rss "$pid")" "$work/$1.txt"
}

run_two() { # name path calls-per-request: both relays at once, 32 connections each
  reset_rss "$pid" "$pid2"
  local before; before=$(stored)
  load "$url" "$2" "$3" 32 1 "${seconds}s" "$work/$1-a.txt" a & local a=$!
  load "$url2" "$2" "$3" 32 1 "${seconds}s" "$work/$1-b.txt" b & local b=$!
  wait "$a" "$b"
  scenario "$1" "$3" "$before" "$(peak_rss "$pid")+$(peak_rss "$pid2")" "$work/$1-a.txt" "$work/$1-b.txt"
}

ceiling() { # log-name: rows per second of plain INSERTs into the relay at $url, after a one-second warm-up
  local answer
  answer=$(curl -sf -X POST "$url/bench/ceiling?seconds=1" && curl -sf -X POST "$url/bench/ceiling?seconds=$seconds") \
    || { echo "The storage ceiling failed; the relay's log:" >&2; cat "$work/$1.log" >&2; exit 1; }
  echo "ceiling $(jq -s '.[1].rowsPerSecond | floor' <<<"$answer")"
}

measure() { # provider: every scenario's line
  local provider=$1 relay_db ceiling_db
  if [ "$provider" = Sqlite ]; then
    mkdir -p "$work/sqlite" "$work/sqlite-ceiling" # a folder each: Hangfire's database and the keys live next to the relay's
    relay_db="Data Source=$work/sqlite/relay.db" ceiling_db="Data Source=$work/sqlite-ceiling/relay.db"
    stored() { sqlite3 "$work/sqlite/relay.db" "SELECT count(*) FROM Messages"; }
  else
    [ -n "$postgres_folder" ] || postgres_start
    relay_db=$(postgres_database relay) ceiling_db=$(postgres_database ceiling)
    stored() { postgres_sql relay 'SELECT count(*) FROM "Messages"'; }
  fi

  echo "$provider: storage ceiling..." >&2
  start_relay "$provider" "$ceiling_db" "$provider-ceiling"
  ceiling "$provider-ceiling"
  stop_relays

  echo "$provider: warming up..." >&2
  start_relay "$provider" "$relay_db" "$provider-relay"
  load "$url" /v1/track 1 64 2 5s /dev/null
  load "$url" /bench/bare/track 1 64 2 5s /dev/null
  echo "$provider: measuring..." >&2
  run single /v1/track 1
  run single-bare /bench/bare/track 1
  run batch100 /v1/batch 100
  run batch100-bare /bench/bare/batch 100

  if [ "$provider" = Postgres ]; then
    echo "$provider: two instances..." >&2
    local first=$pid first_url=$url
    start_relay "$provider" "$relay_db" "$provider-relay2"
    pid2=$pid url2=$url pid=$first url=$first_url
    load "$url2" /v1/track 1 64 2 5s /dev/null
    run_two "two-instances-single" /v1/track 1
    run_two "two-instances-batch100" /v1/batch 100
  fi
  stop_relays
}

tables=""
for provider in $providers; do
  measure "$provider" >"$work/$provider.results"
  tables+=$'\n'"Ingest on $provider, ${seconds}s per scenario, 64 connections, $(nproc) cores; $(date -u +%Y-%m-%d)"$'\n\n'
  tables+=$(awk '
    $1 == "ceiling" { ceiling = $2; next }
    { order[++n] = $1; calls[$1] = $2; line[$1] = $0 }
    END {
      print "| scenario | calls/s | p50 ms | p99 ms | failed requests | peak RSS MB | rows stored | vs bare endpoint | vs storage ceiling |"
      print "|---|---|---|---|---|---|---|---|---|"
      printf "| storage ceiling (plain INSERTs, 10,000 per commit) | %d | - | - | - | - | - | - | baseline |\n", ceiling
      for (i = 1; i <= n; i++) {
        split(line[order[i]], f, " "); s = f[1]; bare = s ~ /-bare$/
        stored = bare ? "-" : f[7] (f[7] + 0 < f[8] + 0 ? " (fewer than the " f[8] " acknowledged!)" : "")
        vsbare = bare ? "baseline" : (((s "-bare") in calls) ? sprintf("%.2f", calls[s] / calls[s "-bare"]) : "-")
        vsceiling = bare ? "-" : sprintf("%.2f", calls[s] / ceiling)
        printf "| %s | %d | %s | %s | %d | %s | %s | %s | %s |\n", s, f[2], f[4], f[5], f[3], f[6], stored, vsbare, vsceiling
      }
    }' "$work/$provider.results")$'\n'
done

echo "$tables"
echo "calls/s counts only requests answered 200; rows stored is what the database holds afterwards, at least the calls acknowledged."
