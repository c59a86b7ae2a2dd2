// DuckDB baseline for the macro benchmark: loads the same NDJSON into a
// DuckDB file and computes the same KPIs as bench/macro_bench.sh, timing the
// load and each query (best of 3 warm runs; 10 for the prebuilt mode). Prints
// one JSON object per line.
// Two modes (`--modes raw,prebuilt`, default raw):
//   raw       every query derives its per-ticket view from the events table,
//             as an analyst's SQL over raw events would;
//   prebuilt  after the load, DuckDB derives its own tables once, untimed
//             (reported as "prebuild"), like an analyst's materialised views
//             (bench/duckdb_prebuilt.mjs): one row per ticket (creation time,
//             latest dimensions, last measures, first/last time, count and
//             first agent per event name, agent replies before the first
//             resolution) and the events with their sticky dimensions filled;
//             every KPI is then timed against those tables.
// With a third argument, a directory holding kpistore's answers as
// `<name>.json` (`kpi query --format json`), also compares every cell of
// both answers (numbers to 1e-9 relative) and reports "agree" or the first
// differences: an independent engine checking the KPI numbers. When that
// directory also holds `<name>.ms` (kpistore's warm time), the line carries
// the ratio DuckDB / kpistore. With KPI_BIN and KPI_DB (a kpi binary and a
// store of the same data) kpistore's time and answer are taken again right
// before each DuckDB query (kpistoreWarm below).
//
//   npm install --prefix /tmp/duck @duckdb/node-api   (from the npm registry)
//   DUCK_DIR=/tmp/duck node bench/duckdb_kpis.mjs events.ndjson /tmp/kpis.duckdb [ANSWERS] [--modes raw,prebuilt]
// (ES modules ignore NODE_PATH, so the package is required from DUCK_DIR.)
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prebuildTables, prebuiltQueries } from './duckdb_prebuilt.mjs';
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire((process.env.DUCK_DIR ?? '/tmp/duck') + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const args = process.argv.slice(2);
const modesAt = args.indexOf('--modes');
const modes = modesAt >= 0 ? args.splice(modesAt, 2)[1].split(',') : ['raw'];
const [ndjson, dbPath, kpiAnswers] = args;
if (!ndjson || !dbPath || modes.some((m) => m !== 'raw' && m !== 'prebuilt')) {
  console.error('usage: duckdb_kpis.mjs EVENTS.ndjson DB.duckdb [ANSWERS_DIR] [--modes raw,prebuilt]');
  process.exit(2);
}
// KPI_DUCK_REUSE=1 keeps a DB file an earlier run loaded (no load line)
// and the tables it prebuilt (no prebuild line).
const reuse = process.env.KPI_DUCK_REUSE === '1' && fs.existsSync(dbPath);
if (!reuse) for (const f of [dbPath, dbPath + '.wal']) if (fs.existsSync(f)) fs.unlinkSync(f);

const instance = await DuckDBInstance.create(dbPath, { threads: '2' });
const con = await instance.connect();
await con.run("set TimeZone = 'UTC'");  // date_trunc in UTC, like kpistore's default
const now = () => Number(process.hrtime.bigint()) / 1e6;

let t0 = now();
if (!reuse) {
  await con.run(`create table e as select * from read_json('${ndjson}', format='newline_delimited',
    columns={ts:'TIMESTAMPTZ', ticket:'VARCHAR', event:'VARCHAR', agent:'VARCHAR', customer:'VARCHAR', channel:'VARCHAR',
             team:'VARCHAR', category:'VARCHAR', priority:'VARCHAR', region:'VARCHAR', business_type:'VARCHAR',
             handle_seconds:'DOUBLE', cost:'DOUBLE', csat:'DOUBLE', accurate:'DOUBLE'})`);
  await con.run('checkpoint');
  const loadMs = now() - t0;
  const rows = (await (await con.runAndReadAll('select count(*) from e')).getRows())[0][0];
  console.log(JSON.stringify({ name: 'load', ms: loadMs, events: Number(rows), events_per_s: Number(rows) / loadMs * 1000,
    bytes: fs.statSync(dbPath).size, bytes_per_event: fs.statSync(dbPath).size / Number(rows) }));
}

// Per-ticket view: creation time, latest dims, first events.
const T = `(select ticket,
   coalesce(min(ts) filter (where event = 'created'), min(ts)) as created,
   arg_max(channel, ts) filter (where channel is not null) as channel,
   arg_max(team, ts) filter (where team is not null) as team,
   arg_max(category, ts) filter (where category is not null) as category,
   arg_max(customer, ts) filter (where customer is not null) as customer,
   arg_max(csat, ts) filter (where csat is not null) as csat,
   min(ts) filter (where event = 'resolved') as first_resolved,
   bool_or(event = 'escalated') as escalated, bool_or(event = 'reopened') as reopened,
   bool_or(event = 'rated') as rated
 from e group by ticket)`;
const FIRST_REPLY = `(select e.ticket, min(e.ts) as first_reply from e join ${T} t using (ticket)
   where e.event = 'agent_reply' and e.ts >= t.created group by e.ticket)`;

const rawQueries = {
  frt_by_channel: `select t.channel, count(*), quantile_cont(epoch(f.first_reply - t.created), 0.5),
      quantile_cont(epoch(f.first_reply - t.created), 0.9) from ${T} t left join ${FIRST_REPLY} f using (ticket)
      where t.created >= '2025-01-01' and t.created < '2025-04-01' group by 1 order by 1`,
  on_time_weekly: `select date_trunc('week', t.created) w, avg(case when epoch(f.first_reply - t.created) <= 900 then 1.0 else 0.0 end)
      filter (where f.first_reply is not null) from ${T} t left join ${FIRST_REPLY} f using (ticket)
      where t.channel = 'email' group by 1 order by 1`,
  fcr_by_team: `with rr as (select e.ticket, count(*) filter (where e.event = 'agent_reply' and e.ts < t.first_resolved) n,
        any_value(t.team) team, bool_or(t.reopened) reopened from e join ${T} t using (ticket)
        where t.first_resolved is not null group by e.ticket)
      select team, avg(case when n = 1 and not reopened then 1.0 else 0.0 end) from rr group by 1 order by 1`,
  resolution_by_category_month: `select t.category, date_trunc('month', t.first_resolved) m, avg(epoch(t.first_resolved - t.created)),
      quantile_cont(epoch(t.first_resolved - t.created), 0.9) from ${T} t where t.first_resolved is not null group by 1, 2 order by 1, 2`,
  escalation_by_channel_month: `select t.channel, date_trunc('month', t.created) m, avg(case when t.escalated then 1.0 else 0.0 end)
      from ${T} t group by 1, 2 order by 1, 2`,
  csat_by_agent_quarter: `with ra as (select ticket, arg_min(agent, ts) agent from e where event = 'resolved' group by ticket)
      select ra.agent, date_trunc('quarter', t.created) q, avg(t.csat), avg(case when t.csat >= 4 then 1.0 else 0.0 end)
      from ${T} t left join ra using (ticket) where t.rated group by 1, 2 order by 1, 2`,
  repeat_within_7d: `with t as (select * from ${T}), r as (
        select a.ticket, exists (select 1 from t b where b.customer = a.customer and b.category = a.category
          and b.created >= a.created - interval 7 day and b.created < a.created and b.ticket <> a.ticket) rep
        from t a where a.customer is not null and a.category is not null)
      select date_trunc('month', t.created) m, avg(case when r.rep then 1.0 else 0.0 end) from t join r using (ticket) group by 1 order by 1`,
  aht_by_agent_day: `select agent, date_trunc('day', ts) d, count(*), avg(handle_seconds) from e where event = 'agent_reply' group by 1, 2 order by 1, 2`,
  cost_per_contact: `with x as (select e.*, last_value(e.channel ignore nulls) over (partition by ticket order by ts) ch from e)
      select ch, date_trunc('month', ts) m, sum(cost) / count(*) from x where event = 'agent_reply' group by 1, 2 order by 1, 2`,
};

// Cells -> comparable values: numbers, epoch milliseconds for times, strings, null.
function cell(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && 'micros' in v) return Number(v.micros / 1000n);
  return v;
}
function kpiCell(v, type) {
  if (v === null) return null;
  if (type === 'time') return Date.parse(v);
  return v;
}
function same(a, b) {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}
const key = (row) => JSON.stringify(row.map((v) => (typeof v === 'number' ? v.toPrecision(12) : v)));
function compare(name, duckRows) {
  const file = `${kpiAnswers}/${name}.json`;
  if (!fs.existsSync(file)) return 'no kpistore answer';
  const k = JSON.parse(fs.readFileSync(file, 'utf8'));
  const kRows = k.rows.map((r) => r.map((v, i) => kpiCell(v, k.columns[i].type)));
  const dRows = duckRows.map((r) => r.map(cell));
  if (kRows.length !== dRows.length) return `DIFFER: ${kRows.length} rows vs ${dRows.length}`;
  // Group keys are unique: sort both sides by their key columns' text.
  const groups = k.columns.filter((c) => c.type === 'string' || c.type === 'time').length;
  const byKey = (rows) => rows.slice().sort((x, y) => (key(x.slice(0, groups)) < key(y.slice(0, groups)) ? -1 : 1));
  const ks = byKey(kRows), ds = byKey(dRows);
  const diffs = [];
  for (let i = 0; i < ks.length; i++) {
    if (ks[i].length !== ds[i].length || ks[i].some((v, j) => !same(v, ds[i][j])))
      diffs.push(`kpistore ${JSON.stringify(ks[i])} duckdb ${JSON.stringify(ds[i])}`);
  }
  return diffs.length === 0 ? `agree (${ks.length} rows)` : `DIFFER in ${diffs.length} rows, e.g. ${diffs.slice(0, 3).join('; ')}`;
}

// KPI_BIN and KPI_DB set: kpistore's warm time of each KPI is taken again
// right before DuckDB's (the statement `runs` + 1 times in one `kpi query`
// process, the best of the last `runs`, wall and process CPU time), so that
// both sides of a ratio meet the same load on a shared machine; its answer
// is saved for the check. DuckDB's CPU time is the node process's (DuckDB's
// threads included); `cpu_ratio` compares the two.
// KPI_BIN_BEFORE: another kpi build (an earlier commit) timed the same way
// right before, its figures saved as `<name>.before.ms` / `.before.cpu`.
function kpistoreWarm(name, runs, bin = process.env.KPI_BIN, tag = '') {
  const statement = execFileSync('bash', ['-c', `source "${benchDir}/contract_kpis.sh"; printf '%s' "\${KPI_QUERY[${name}]}"`],
    { encoding: 'utf8' });
  if (!statement) return null;
  const script = `${kpiAnswers}/${name}.kpiq`;
  fs.writeFileSync(script, `${statement};\n`.repeat(runs + 1));
  const r = spawnSync(bin, ['query', '--db', process.env.KPI_DB, '--format', 'json', '--timer', '-f', script],
    { encoding: 'utf8', maxBuffer: 1 << 28 });
  // Builds before the CPU figure print none (NaN).
  const lines = [...r.stderr.matchAll(/^time: ([0-9.]+) ms \(engine [0-9.]+ ms(?:, cpu ([0-9.]+) ms)?\)/gm)];
  if (r.status !== 0 || lines.length !== runs + 1) return null;
  if (!tag) fs.writeFileSync(`${kpiAnswers}/${name}.json`, r.stdout.split('\n')[0]);
  fs.writeFileSync(`${kpiAnswers}/${name}${tag}.ms`, String(Math.min(...lines.slice(1).map((m) => Number(m[1])))));
  fs.writeFileSync(`${kpiAnswers}/${name}${tag}.cpu`, String(Math.min(...lines.slice(1).map((m) => Number(m[2])))));
}

async function timeAll(mode, queries, runs) {
  for (const [name, sql] of Object.entries(queries)) {
    if (kpiAnswers && process.env.KPI_BIN_BEFORE && process.env.KPI_DB)
      kpistoreWarm(name, runs, process.env.KPI_BIN_BEFORE, '.before');
    if (kpiAnswers && process.env.KPI_BIN && process.env.KPI_DB) kpistoreWarm(name, runs);
    let best = Infinity, bestCpu = Infinity, rows = [];
    for (let i = 0; i < runs; i++) {
      t0 = now();
      const c0 = process.cpuUsage();  // the whole process: DuckDB's threads included
      const r = await con.runAndReadAll(sql);
      const c = process.cpuUsage(c0);
      best = Math.min(best, now() - t0);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
      rows = r.getRows();
    }
    const out = { mode, name, ms: best, cpu_ms: bestCpu, rows: rows.length };
    if (kpiAnswers) {
      out.check = compare(name, rows);
      const msFile = `${kpiAnswers}/${name}.ms`;
      if (fs.existsSync(msFile)) {
        out.kpistore_ms = Number(fs.readFileSync(msFile, 'utf8'));
        out.ratio = best / out.kpistore_ms;
      }
      const beforeFile = `${kpiAnswers}/${name}.before.cpu`;
      if (process.env.KPI_BIN_BEFORE && fs.existsSync(beforeFile)) {
        out.before_ms = Number(fs.readFileSync(`${kpiAnswers}/${name}.before.ms`, 'utf8'));
        out.before_cpu_ms = Number(fs.readFileSync(beforeFile, 'utf8'));
      }
      const cpuFile = `${kpiAnswers}/${name}.cpu`;
      if (fs.existsSync(cpuFile)) {
        out.kpistore_cpu_ms = Number(fs.readFileSync(cpuFile, 'utf8'));
        out.cpu_ratio = bestCpu / out.kpistore_cpu_ms;
      }
    }
    console.log(JSON.stringify(out));
  }
}

if (modes.includes('raw')) await timeAll('raw', rawQueries, 3);
if (modes.includes('prebuilt')) {
  // With KPI_DUCK_REUSE=1 tables an earlier run prebuilt are kept too.
  const built = reuse && (await (await con.runAndReadAll(
    "select count(*) from duckdb_tables() where table_name in ('tk', 'ev')")).getRows())[0][0] == 2;
  if (!built) {
    t0 = now();
    await prebuildTables(con);
    console.log(JSON.stringify({ name: 'prebuild', ms: now() - t0 }));
  }
  await timeAll('prebuilt', prebuiltQueries, 10);
}
