-- wrk script: POSTs Segment calls with unique messageIds, as analytics-node shapes them.
-- Arguments (after --): <path> <calls per request: 1 for a single call, N for a batch> <basic auth>
-- [a tag for the messageIds, so that wrk processes started in the same second send different calls]
local path, per_request, auth
local counter = 0
local prefix

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  path = args[1]
  per_request = tonumber(args[2])
  auth = args[3]
  prefix = string.format("bench-%s%d-%d-", args[4] or "", os.time(), tid)
end

local function call(n)
  return string.format(
    '{"type":"track","event":"Item Purchased","userId":"user-%d","properties":{"plan":"pro","revenue":14.99,"n":%d},' ..
    '"integrations":{},"context":{"groupId":"acct-%d","library":{"name":"@segment/analytics-node","version":"3.1.0"}},' ..
    '"timestamp":"2024-05-01T12:00:01.000Z","messageId":"%s%d","_metadata":{"nodeVersion":"v20.11.0","jsRuntime":"node"}}',
    n % 500, n, n % 50, prefix, n)
end

request = function()
  local body
  if per_request == 1 then
    counter = counter + 1
    body = call(counter)
  else
    local calls = {}
    for i = 1, per_request do
      counter = counter + 1
      calls[i] = call(counter)
    end
    body = '{"batch":[' .. table.concat(calls, ",") .. '],"sentAt":"2024-05-01T12:00:02.000Z"}'
  end
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local failures = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  -- ok: the requests answered 200 (ingest answers nothing else below 400), the only ones that count as calls.
  io.write(string.format("RESULT requests=%d seconds=%.2f failures=%d p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f ok=%d\n",
    summary.requests, seconds, failures, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.requests - summary.errors.status))
  local e = summary.errors
  io.write(string.format("ERRORS status=%d connect=%d read=%d write=%d timeout=%d\n", e.status, e.connect, e.read, e.write, e.timeout))
end
