#!/usr/bin/env bash
# What metrics cost ingest: two relays (Release build) side by side, one with metrics on (and
# /metrics scraped every 5 s, as a Prometheus would) and one with Metrics:Enabled=false, each on its
# own database folder. The same load (64 connections over loopback, single calls then batches of 100) is
# driven at one relay at a time, alternating on/off and off/on over the rounds so that drift (the
# database growing, the machine warming) falls on both alike. Besides the mean rates it prints the
# median of the rounds' paired ratios (on / off, from back-to-back runs), which a burst of load
# from elsewhere on a shared machine moves far less than the means.
# Usage: bench/ingest/metrics.sh [seconds per run, default 5] [rounds, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}
rounds=${2:-10}
key=bench_key
auth="Basic $(printf '%s:' "$key" | base64)"
work=$(mktemp -d /tmp/userlist-bench-metrics-XXXXXX)
declare -A port=([on]=5091 [off]=5092) enabled=([on]=true [off]=false) pid=()

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

trap 'kill ${pid[on]:-} ${pid[off]:-} ${scraper:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for mode in on off; do
  # A folder each: Hangfire's database and the data-protection keys live next to the relay's database.
  mkdir "$work/$mode"
  ConnectionStrings__Userlist="Data Source=$work/$mode/relay.db" Urls="http://127.0.0.1:${port[$mode]}" \
  Ingest__WriteKeys__0="$key" Metrics__Enabled="${enabled[$mode]}" Logging__LogLevel__Default=Warning \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >"$work/$mode.log" 2>&1 &
  pid[$mode]=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:${port[$mode]}/" && break; sleep 0.2; done
done
curl -sf -o /dev/null "http://127.0.0.1:${port[on]}/metrics" || { echo "metrics are not served on the 'on' relay"; exit 1; }

# Prometheus' side: scrape the 'on' relay every 5 s for the whole run.
( while sleep 5; do curl -s -o /dev/null "http://127.0.0.1:${port[on]}/metrics"; done ) &
scraper=$!

load() { # mode path calls-per-request duration -> "calls/s p99"
  wrk -t2 -c64 -d"$4" --latency -s bench/ingest/calls.lua "http://127.0.0.1:${port[$1]}" -- "$2" "$3" "$auth" >"$work/last.txt"
  local line; line=$(grep '^RESULT' "$work/last.txt")
  awk -v n="$3" -v l="$line" 'BEGIN {
    match(l, /requests=[0-9]+/); r = substr(l, RSTART + 9, RLENGTH - 9)
    match(l, /seconds=[0-9.]+/); s = substr(l, RSTART + 8, RLENGTH - 8)
    match(l, /p99_ms=[0-9.]+/); p = substr(l, RSTART + 7, RLENGTH - 7)
    printf "%d %s\n", r * n / s, p }'
}

echo "Warming up..."
for mode in on off; do load "$mode" /v1/track 1 5s >/dev/null; load "$mode" /v1/batch 100 5s >/dev/null; done

results=$(
  for round in $(seq 1 "$rounds"); do
    order="on off"; (( round % 2 == 0 )) && order="off on"
    for scenario in "single /v1/track 1" "batch100 /v1/batch 100"; do
      set -- $scenario
      for mode in $order; do echo "$1 $mode $(load "$mode" "$2" "$3" "${seconds}s") $round"; done
    done
  done
)

echo
echo "Ingest with metrics on vs off, ${seconds}s x $rounds rounds per scenario, 64 connections, $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
awk '
  { calls[$1 " " $2] += $3; runs[$1 " " $2]++; if ($4 > p99[$1 " " $2]) p99[$1 " " $2] = $4; rate[$1 " " $2 " " $5] = $3 }
  END {
    print "| scenario | calls/s metrics off | calls/s metrics on | on / off (means) | on / off (median of paired rounds) | worst p99 ms off | worst p99 ms on |"
    print "|---|---|---|---|---|---|---|"
    split("single batch100", order, " ")
    for (i = 1; i <= 2; i++) {
      s = order[i]; off = calls[s " off"] / runs[s " off"]; on = calls[s " on"] / runs[s " on"]
      n = 0; for (r = 1; r <= runs[s " on"]; r++) ratios[++n] = rate[s " on " r] / rate[s " off " r]
      for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (ratios[b] < ratios[a]) { t = ratios[a]; ratios[a] = ratios[b]; ratios[b] = t }
      median = n % 2 ? ratios[(n + 1) / 2] : (ratios[n / 2] + ratios[n / 2 + 1]) / 2
      printf "| %s | %d | %d | %.3f | %.3f | %s | %s |\n", s, off, on, on / off, median, p99[s " off"], p99[s " on"]
    }
  }' <<<"$results"
echo
echo "Each run:"
echo "$results"
