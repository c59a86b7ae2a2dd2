-- wrk script for bench/server_watch_load.sh: small KPI queries on a large
-- store, each over one day (or one hour) of it, rotating through the days
-- of 2025-06 so that no two consecutive requests read the same partition.
local templates = {
  "select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50 from tickets during %s .. %s by channel",
  "select rate(has(escalated)) as escalation from tickets during %s .. %s by channel",
  "select count() as replies, avg(handle_seconds) as aht from events where event = \"agent_reply\" during %sT10:00:00Z .. %sT11:00:00Z by team",
  "select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = \"email\" during %s .. %s",
}
local i = 0
local token = os.getenv("KPI_TOKEN")

request = function()
  i = i + 1
  local day = (i % 28) + 1
  local a = string.format("2025-06-%02d", day)
  local b = string.format("2025-06-%02d", day + 1)
  local t = templates[(i % #templates) + 1]
  local q
  if t:find("T10:00:00Z") then q = string.format(t, a, a) else q = string.format(t, a, b) end
  local headers = { ["Content-Type"] = "text/plain" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/v1/query", headers, q)
end
