#!/usr/bin/env bash
# Forwarding benchmark: the relay (Release build) delivering to a fake Userlist (node, 20 ms per
# request, enforcing the limit the way Userlist does), in three parts:
#  1. a backlog of 20,000 stored calls drained with the limiter at 60,000/min;
#  2. the default 1,000/min held for two minutes;
#  3. end-to-end latency from ingest to Userlist while the queue is idle.
# Usage: bench/forward/run.sh [seconds for part 2, default 120]
set -euo pipefail
cd "$(dirname "$0")/../.."
hold=${1:-120}
relay_port=5096
fake_port=5097
key=bench_key
work=$(mktemp -d /tmp/userlist-forward-XXXXXX)
relay_url="http://127.0.0.1:$relay_port"
fake_url="http://127.0.0.1:$fake_port"

command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

fake=""; relay=""
cleanup() { [ -n "$relay" ] && kill "$relay" 2>/dev/null; [ -n "$fake" ] && kill "$fake" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_fake() { # limit per minute
  [ -n "$fake" ] && { kill "$fake"; wait "$fake" 2>/dev/null || true; }
  node bench/forward/fake-userlist.mjs "$fake_port" 20 "$1" & fake=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null "$fake_url/stats" && return; sleep 0.1; done
}

stop_relay() { [ -n "$relay" ] && { kill "$relay"; wait "$relay" 2>/dev/null || true; }; relay=""; }

start_relay() { # folder push-key requests-per-minute
  stop_relay
  ConnectionStrings__Userlist="Data Source=$work/$1/relay.db" Urls="$relay_url" Ingest__WriteKeys__0="$key" \
  Userlist__PushApiUrl="$fake_url" Userlist__PushKey="$2" Userlist__RequestsPerMinute="$3" Logging__LogLevel__Default=Warning \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >>"$work/relay.log" 2>&1 & relay=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$relay_url/" && return; sleep 0.2; done
}

count() { sqlite3 "$work/$1/relay.db" "SELECT count(*) FROM Messages WHERE Status = $2"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$relay/stat"; }
stat() { curl -s "$fake_url/stats" | node -e "const s=JSON.parse(require('fs').readFileSync(0));$1"; }

echo "1. Draining 20,000 stored calls at 60,000/min..."
mkdir -p "$work/drain"
start_fake 60000
start_relay drain "" 60000
node bench/forward/send-batches.mjs "$relay_url" "$key" 20000 500
start_relay drain "$key" 60000
echo 5 > "/proc/$relay/clear_refs"
ticks0=$(cpu_ticks); t0=$(date +%s.%N)
while [ "$(count drain 3)" -lt 20000 ]; do sleep 0.5; done
t1=$(date +%s.%N); ticks1=$(cpu_ticks)
drain_rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$relay/status")
drain_rate=$(stat "console.log((s.accepted/((s.lastAt-s.firstAt)/1000)).toFixed(0))")
drain_429=$(stat "console.log(s.rateLimited)")
drain_cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v s="$t0" -v e="$t1" 'BEGIN {printf "%.2f", (b-a)/100/(e-s)}')

echo "2. Holding the default 1,000/min for ${hold}s..."
mkdir -p "$work/hold"
stop_relay
start_fake 1000
start_relay hold "" 1000
node bench/forward/send-batches.mjs "$relay_url" "$key" 3000 500
start_relay hold "$key" 1000
sleep "$hold"
hold_sent=$(stat "console.log(s.accepted)")
hold_429=$(stat "console.log(s.rateLimited)")
hold_rate=$(stat "console.log((s.accepted/((s.lastAt-s.firstAt)/1000)*60).toFixed(0))")

echo "3. End-to-end latency while idle..."
mkdir -p "$work/idle"
stop_relay
start_fake 1000
start_relay idle "$key" 1000
sleep 2
node bench/forward/send-batches.mjs "$relay_url" "$key" 100 100 single
while [ "$(count idle 3)" -lt 100 ]; do sleep 0.2; done
latency=$(stat "const l=s.latenciesMs.sort((a,b)=>a-b);const p=q=>l[Math.min(l.length-1,Math.floor(q*l.length))];console.log(p(0.5)+' '+p(0.95)+' '+l.length)")

echo
echo "Forwarding, fake Userlist at 20 ms per request, $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| measure | result | target |"
echo "|---|---|---|"
echo "| drain 20,000 calls at a 60,000/min limit | $drain_rate sent/s = $(awk -v r="$drain_rate" 'BEGIN {printf "%.1f", r/1000*100}')% of the limit; $drain_429 answered 429 | ≥ 95%, no 429 |"
echo "| CPU and peak RSS while draining | $drain_cpu cores, $drain_rss MB | - |"
echo "| default 1,000/min held for ${hold}s | $hold_sent sent, $hold_rate/min = $(awk -v r="$hold_rate" 'BEGIN {printf "%.1f", r/1000*100}')% of the limit; $hold_429 answered 429 | ≥ 95%, no 429 |"
read -r p50 p95 n <<<"$latency"
echo "| ingest → Userlist latency while idle ($n calls) | p50 $p50 ms, p95 $p95 ms | p95 < 1,000 ms |"
