#!/usr/bin/env bash
# Crash benchmark: the suite's crash test at full size. @segment/analytics-node sends CRASH_CALLS
# calls for CRASH_USERS users to the relay (its own process) while it is killed with SIGKILL at
# random moments CRASH_KILLS times and restarted; a fake Userlist records what arrives. Prints the
# counts: acknowledged, stored, delivered, duplicates by call type.
# Usage: bench/crash/run.sh [calls, default 20000] [users, default 500] [kills, default 3] [Sqlite or Postgres, default both]
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRASH_CALLS=${1:-20000} CRASH_USERS=${2:-500} CRASH_KILLS=${3:-3}
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
(cd Userlist.Tests/Clients && npm ci --no-audit --no-fund >/dev/null)
dotnet test Userlist.Tests -c Release --filter "FullyQualifiedName~CrashTests+On${4:-}" --logger "console;verbosity=detailed" 2>&1 \
  | tee /tmp/userlist-crash.log | grep -E "killed the relay|CRASH|Passed!|Failed!|Error Message" || true
grep -q "Passed!" /tmp/userlist-crash.log
