-- wrk script for bench/server_load.sh: POSTs small KPI queries to /v1/query,
-- rotating through a few typical dashboard tiles.
local queries = {
  "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50 from tickets during 2025-01-01 .. 2025-02-01 by channel",
  "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" during 2025-01-01 .. 2025-01-15 by day",
  "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" during 2025-01-10 .. 2025-01-11 by team",
  "select rate(has(escalated)) as escalation from tickets during 2025-01-01 .. 2025-02-01 by channel",
}
local i = 0
local token = os.getenv("KPI_TOKEN")

request = function()
  i = i + 1
  local headers = { ["Content-Type"] = "text/plain" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/v1/query", headers, queries[(i % #queries) + 1])
end
