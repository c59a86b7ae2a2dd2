# The contract examples as the benches run them (docs/query-language.md,
# the KPI catalog): KPI_QUERY[name] is the statement. Sourced by
# bench/macro_bench.sh and bench/cold_query_bench.sh, which each list the
# names they run.
declare -A KPI_QUERY
KPI_QUERY[frt_by_channel]='select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50, p90(duration(created -> agent_reply)) as frt_p90 from tickets during 2025-01-01 .. 2025-04-01 by channel'
KPI_QUERY[on_time_weekly]='select rate(duration(created -> agent_reply) <= 15m) as on_time from tickets where channel = "email" by week'
KPI_QUERY[fcr_by_team]='select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets where has(resolved) by team'
KPI_QUERY[resolution_by_category_month]='select avg(duration(created -> resolved)) as avg_res, p90(duration(created -> resolved)) as p90_res from tickets at resolved by category, month'
KPI_QUERY[escalation_by_channel_month]='select rate(has(escalated)) as escalation from tickets by channel, month'
KPI_QUERY[csat_by_agent_quarter]='select avg(csat) as csat, rate(csat >= 4) as satisfied from tickets where has(rated) by agent_of(resolved), quarter'
KPI_QUERY[repeat_within_7d]='select rate(repeat_within(7d, customer, category)) as repeat_rate from tickets by month'
KPI_QUERY[aht_by_agent_day]='select count() as replies, avg(handle_seconds) as aht from events where event = "agent_reply" by agent, day'
KPI_QUERY[qa_accuracy]='select avg(accurate) as accuracy from events where event = "qa_reviewed" by team'
KPI_QUERY[cost_per_contact]='select ratio(cost, 1) as cost_per_contact from events where event = "agent_reply" by channel, month'
