-- wrk script for bench/server_load.sh: POSTs batches of new NDJSON events to
-- /v1/events. Every event is new (its ticket number comes from a per-thread
-- counter), so the server does the full ingest work, not duplicate drops.
local per = tonumber(os.getenv("EVENTS_PER_REQUEST") or "1000")
local token = os.getenv("KPI_TOKEN")
local threads_made = 0
local batch = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("tid", threads_made)
end

local channels = { "chat", "email", "phone", "web" }

request = function()
  batch = batch + 1
  local lines = {}
  for k = 1, per do
    local n = batch * per + k
    local secs = n % 86400
    lines[k] = string.format(
      '{"ts":"2025-06-%02dT%02d:%02d:%02dZ","ticket":"H%d-%d","event":"created","channel":"%s","team":"t%d"}',
      1 + (n % 28), math.floor(secs / 3600), math.floor(secs / 60) % 60, secs % 60, tid or 0, n, channels[(n % 4) + 1], n % 7)
  end
  local headers = { ["Content-Type"] = "application/x-ndjson" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/v1/events", headers, table.concat(lines, "\n") .. "\n")
end
