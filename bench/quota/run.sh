#!/usr/bin/env bash
# Requests per Segment call: a seeded trace of a web app (trace.mjs) sent through two relays at
# once, each delivering to a fake Userlist that keeps Userlist's end state (fake-userlist.mjs) at
# the same rate limit. The baseline relay sends one request per call (Delivery:Coalesce=false,
# Delivery:SkipUnchangedHours=0, Delivery:IdentityWaitHours=0); the other runs as configured by
# default. Two scenarios: the trace sent at once (a backlog, which coalescing can merge), and spread
# over a little more time than one request per call needs at the limit (steady traffic).
# Usage: bench/quota/run.sh [users=250] [limit per minute=1000] [seed=42] [scenarios="backlog steady"]
# RELAY_SETTINGS="Delivery__SkipUnchangedHours=0 ..." configures the measured relay otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-250}
limit=${2:-1000}
seed=${3:-42}
scenarios=${4:-backlog steady}
key=bench_key
work=$(mktemp -d /tmp/userlist-quota-XXXXXX)
source bench/lib/postgres.sh # free_port

command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
dotnet build -c Release Userlist.Dashboard -v q -nologo >/dev/null

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

node bench/quota/trace.mjs "$users" "$seed" >"$work/trace.ndjson" 2>"$work/summary.json"
calls=$(jq .calls "$work/summary.json")

start_pair() { # name: a fake and a relay; sets fake_url, db
  local name=$1 fake_port relay_url; shift
  fake_port=$(free_port)
  node bench/quota/fake-userlist.mjs "$fake_port" "$limit" & pids+=($!)
  fake_url="http://127.0.0.1:$fake_port"
  relay_url="http://127.0.0.1:$(free_port)"
  mkdir -p "$work/$name"
  env "$@" ConnectionStrings__Userlist="Data Source=$work/$name/relay.db" Urls="$relay_url" Ingest__WriteKeys__0="$key" \
    Userlist__PushApiUrl="$fake_url" Userlist__PushKey=quota-key Userlist__RequestsPerMinute="$limit" Logging__LogLevel__Default=Warning \
    dotnet Userlist.Dashboard/bin/Release/net10.0/Userlist.Dashboard.dll >>"$work/$name/relay.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 150); do curl -sf -o /dev/null "$relay_url/healthz" && break; sleep 0.2; done
  eval "${name}_relay=$relay_url ${name}_fake=$fake_url"
}

# Seconds from the start until every call is stored and none is left to send (Pending, Delivering, Retrying).
drained() { # name start-seconds
  local db="$work/$1/relay.db"
  until [ "$(sqlite3 "$db" 'SELECT count(*) FROM Messages')" = "$calls" ] \
     && [ "$(sqlite3 "$db" 'SELECT count(*) FROM Messages WHERE Status IN (0, 1, 2)')" = 0 ]; do
    sleep 0.5
  done
  echo $(( $(date +%s) - $2 ))
}

scenario() { # name spread-seconds
  start_pair baseline Delivery__Coalesce=false Delivery__SkipUnchangedHours=0 Delivery__IdentityWaitHours=0
  # shellcheck disable=SC2086 # one setting per word
  start_pair relay ${RELAY_SETTINGS:-}
  local started; started=$(date +%s)
  node bench/quota/send.mjs "$baseline_relay" "$key" "$work/trace.ndjson" "$2" & local a=$!
  node bench/quota/send.mjs "$relay_relay" "$key" "$work/trace.ndjson" "$2" & local b=$!
  wait "$a" "$b"
  local baseline_drain relay_drain
  relay_drain=$(drained relay "$started")
  baseline_drain=$(drained baseline "$started")
  # What the relay saved, by its own counters: calls carried by a merged request besides its first, and unchanged skips.
  local saved; saved=$(sqlite3 "$work/relay/relay.db" 'SELECT coalesce(sum(Merged), 0) || " " || coalesce(sum(Unchanged), 0) FROM HourlyActivity')
  echo "$1 $(node bench/quota/compare.mjs "$baseline_fake/state" "$relay_fake/state" "$(cat "$work/summary.json")" "$baseline_drain" "$relay_drain" \
    | jq -c --argjson merged "${saved% *}" --argjson unchanged "${saved#* }" '. + {merged: $merged, unchanged: $unchanged}')"
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
  rm -rf "$work/baseline" "$work/relay"
}

echo "Trace: $(cat "$work/summary.json")" >&2
results=$(
  if [[ " $scenarios " == *" backlog "* ]]; then
    echo "Backlog: the trace sent at once..." >&2
    scenario backlog 0
  fi
  if [[ " $scenarios " == *" steady "* ]]; then
    # One request per call needs about this long at the limit; the traffic comes a fifth slower.
    one_per_call=$(jq '.byType.identify + .byType.group + .byType.track' "$work/summary.json")
    spread=$(( one_per_call * 60 * 6 / 5 / limit ))
    echo "Steady: the trace spread over ${spread}s..." >&2
    scenario steady "$spread"
  fi
)

echo
echo "Requests per Segment call, $users users (seed $seed), limit $limit/min, 2 cores; $(date -u +%Y-%m-%d)"
echo
echo "| scenario | calls | requests sent | one per call | changes and events | sent / changes | saved: merged, unchanged | stitched events (of stitchable) | drain s (baseline s) | end state | events before their user |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
while read -r name json; do
  jq -r --arg name "$name" '"| \($name) | \(.calls) | \(.requestsSent) | \(.onePerCall) | \(.changesAndEvents) | \(.ratioToChanges) | \(.merged), \(.unchanged) | \(.stitchedEvents) (of \(.stitchable)) | \(.drainSeconds) (\(.baselineDrainSeconds)) | \(if .endStateMatches then "identical" else "DIFFERENT (users \(.usersMatch), companies \(.companiesMatch), baseline events missing \(.baselineEventsMissing))" end) | \(.eventsBeforeTheirUser) |"' <<<"$json"
done <<<"$results"
