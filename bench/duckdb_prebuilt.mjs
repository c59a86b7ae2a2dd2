// DuckDB's prebuilt tables for the KPI benchmark (bench/duckdb_kpis.mjs,
// `--modes prebuilt`): what an analyst would materialise once from the raw
// events table `e` before running dashboards, so that each catalog KPI is a
// scan of a table DuckDB built for it rather than a derivation from events.
//
//   tk  one row per ticket: `created` (time of the first `created` event,
//       else the earliest event: kpistore's placement), the latest carried
//       value of every dimension, the last carried value of every measure,
//       and per event name X found in the data: "first_X", "last_X" (times),
//       "n_X" (count), "agent_X" (agent of the first X); and
//       `replies_before_resolved` (agent_reply events before the first
//       resolved, all of them if none: FCR's count_of(... before ...)).
//   ev  the events with every dimension's sticky value filled forward within
//       the ticket ("s_<dim>"), as the events source of kpistore sees them.
//
// Times in tk and ev are plain TIMESTAMPs in UTC, not the TIMESTAMPTZ of `e`:
// truncating a TIMESTAMPTZ goes through ICU time zones and costs DuckDB
// 10x-20x on these queries, and an analyst building a table for speed would
// store UTC. Durations are differences of epoch milliseconds.
// prebuildTables(con) creates both (the caller times it apart from the
// queries); prebuiltQueries holds the KPIs of bench/contract_kpis.sh in SQL
// over tk / ev, with the same answers as the raw-mode queries and kpistore.
const DIMS = ['channel', 'team', 'category', 'customer', 'priority', 'region', 'business_type'];
const MEASURES = ['handle_seconds', 'cost', 'csat', 'accurate'];
const q = (name) => `"${name.replaceAll('"', '""')}"`;
const lit = (text) => `'${text.replaceAll("'", "''")}'`;

export async function prebuildTables(con) {
  const names = (await (await con.runAndReadAll('select distinct event from e where event is not null order by 1')).getRows())
    .map((r) => r[0]);
  const perEvent = names.flatMap((x) => [
    `min(ts) filter (where event = ${lit(x)}) as ${q('first_' + x)}`,
    `max(ts) filter (where event = ${lit(x)}) as ${q('last_' + x)}`,
    `count(*) filter (where event = ${lit(x)}) as ${q('n_' + x)}`,
    `arg_min(agent, ts) filter (where event = ${lit(x)}) as ${q('agent_' + x)}`,
  ]);
  const latest = [...DIMS, ...MEASURES].map((c) => `arg_max(${c}, ts) filter (where ${c} is not null) as ${c}`);
  await con.run('drop table if exists tk');
  await con.run('drop table if exists ev');
  await con.run(`create table tk as
    with fr as (select ticket, min(timezone('UTC', ts)) filter (where event = 'resolved') as fr from e group by ticket)
    select e.ticket, coalesce(min(ts) filter (where event = 'created'), min(ts)) as created,
      ${[...latest, ...perEvent].join(',\n      ')},
      count(*) filter (where event = 'agent_reply' and (fr.fr is null or ts < fr.fr)) as replies_before_resolved
    from (select * replace (timezone('UTC', ts) as ts) from e) e join fr using (ticket) group by e.ticket`);
  const sticky = DIMS.map((d) => `last_value(${d} ignore nulls) over (partition by ticket order by ts) as s_${d}`);
  await con.run(`create table ev as select * replace (timezone('UTC', ts) as ts), ${sticky.join(', ')} from e`);
  await con.run('checkpoint');
}

// The first reply at or after creation (the generated data has no reply
// before `created`; the answers are compared with kpistore's to show it).
const since = (to, from) => `case when ${to} >= ${from} then (epoch_ms(${to}) - epoch_ms(${from})) / 1000.0 end`;
const FRT = since('first_agent_reply', 'created');
const RES = since('first_resolved', 'created');

export const prebuiltQueries = {
  frt_by_channel: `select channel, count(*), quantile_cont(${FRT}, 0.5), quantile_cont(${FRT}, 0.9) from tk
      where created >= timestamp '2025-01-01' and created < timestamp '2025-04-01' group by 1 order by 1`,
  on_time_weekly: `select date_trunc('week', created) w, avg(case when ${FRT} <= 900 then 1.0 else 0.0 end)
      filter (where ${FRT} is not null) from tk where channel = 'email' group by 1 order by 1`,
  fcr_by_team: `select team, avg(case when replies_before_resolved = 1 and n_reopened = 0 then 1.0 else 0.0 end)
      from tk where n_resolved > 0 group by 1 order by 1`,
  resolution_by_category_month: `select category, date_trunc('month', first_resolved) m, avg(${RES}),
      quantile_cont(${RES}, 0.9) from tk where first_resolved is not null group by 1, 2 order by 1, 2`,
  escalation_by_channel_month: `select channel, date_trunc('month', created) m,
      avg(case when n_escalated > 0 then 1.0 else 0.0 end) from tk group by 1, 2 order by 1, 2`,
  csat_by_agent_quarter: `select agent_resolved, date_trunc('quarter', created) q, avg(csat),
      avg(case when csat >= 4 then 1.0 else 0.0 end) from tk where n_rated > 0 group by 1, 2 order by 1, 2`,
  // An earlier ticket of the same customer and category created in the 7
  // days before: a window count (faster in DuckDB than a correlated exists).
  repeat_within_7d: `with r as (select created, customer is not null and category is not null and
        count(*) over (partition by customer, category order by created
          range between interval 7 day preceding and interval 1 millisecond preceding) > 0 as rep from tk)
      select date_trunc('month', created) m, avg(case when rep then 1.0 else 0.0 end) from r group by 1 order by 1`,
  aht_by_agent_day: `select agent, date_trunc('day', ts) d, count(*), avg(handle_seconds) from ev
      where event = 'agent_reply' group by 1, 2 order by 1, 2`,
  qa_accuracy: `select s_team, avg(accurate) from ev where event = 'qa_reviewed' group by 1 order by 1`,
  cost_per_contact: `select s_channel, date_trunc('month', ts) m, sum(cost) / count(*) from ev
      where event = 'agent_reply' group by 1, 2 order by 1, 2`,
};
