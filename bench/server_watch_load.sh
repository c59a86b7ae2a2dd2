#!/usr/bin/env bash
# Watches against small queries (issue 11): does a server running 100
# watches every 10 s keep its small-query latency?
#   1. copies a store (default: the 1M-ticket store of kpi gen --seed 42,
#      STORE=/tmp/kpi-eval-bench-1000000) to a scratch directory;
#   2. defines WATCHES watches every EVERY, a rotation of four typical ones
#      (an evaluate of two KPIs by channel, a select of volume and first
#      response p90 by channel, a resolution rate by team, replies by team),
#      each over one day of the data (`during D .. D+1`, a different day per
#      watch: the cost of `during last 1d` on live data, which this
#      historical store cannot have);
#   3. serves it, and runs small queries (bench/server_watch_query.lua: four
#      dashboard tiles, each over one day or one hour of June 2025, rotating
#      days) with wrk at CONNS connections for DURATION seconds: first with
#      watches off (--watch-threads 0), then on, alternating ROUNDS times;
#   4. prints requests/s, p50 and p99 of each run, and from /metrics the
#      watch runs, skipped instants and failures, and the server's CPU
#      seconds (/proc) over each run.
# Usage: bench/server_watch_load.sh [build-dir]     (default: build)
# Knobs: STORE=... WATCHES=100 EVERY=10s DURATION=30 CONNS=8 ROUNDS=2 PORT=7072 WRK_THREADS=2
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
kpi="$build/cli/kpi"
store="${STORE:-/tmp/kpi-eval-bench-1000000}"
watches="${WATCHES:-100}"
every="${EVERY:-10s}"
duration="${DURATION:-30}"
conns="${CONNS:-8}"
rounds="${ROUNDS:-2}"
port="${PORT:-7072}"
wrk_threads="${WRK_THREADS:-2}"

. "$here/lib/server_bench.sh"
bench_require wrk curl
bench_require_kpi "$kpi"
[ -d "$store" ] || { echo "$bench_name: no store at $store (kpi gen --tickets 1000000 --seed 42, kpi ingest)" >&2; exit 2; }
bench_workdir kpi-watch-load

cp -r "$store" "$work/db"
tickets=$("$kpi" query --db "$work/db" --format csv 'select count() as n from tickets' | tail -1)
echo "== store: $tickets tickets (copy of $store)"

# The watches: one day each, 2025-01-02 onwards.
{
  echo "define kpi w_escalation = rate(has(escalated));"
  echo "define kpi w_frt_p90 = p90(duration(created -> agent_reply));"
  echo "define target w_escalation <= 5%;"
  echo "define target w_frt_p90 <= 30m;"
  for i in $(seq 1 "$watches"); do
    d1=$(date -u -d "2025-01-01 + $i days" +%F)
    d2=$(date -u -d "2025-01-01 + $((i + 1)) days" +%F)
    case $((i % 4)) in
      0) s="evaluate w_escalation, w_frt_p90 from tickets during $d1 .. $d2 by channel" ;;
      1) s="select count() as tickets, p90(duration(created -> agent_reply)) as frt from tickets during $d1 .. $d2 by channel" ;;
      2) s="select rate(has(resolved)) as resolved from tickets during $d1 .. $d2 by team" ;;
      3) s="select count() as replies from events where event = \"agent_reply\" during $d1 .. $d2 by team" ;;
    esac
    echo "define watch w$i every $every keep 1h as $s;"
  done
} > "$work/watches.kpiql"
"$kpi" query --db "$work/db" -f "$work/watches.kpiql" > /dev/null
echo "== $watches watches every $every defined"

metric_sum() {  # the sum of a metric family's samples
  curl -fsS "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 ~ "^"m"[{ ]" {s += $NF} END {print s + 0}'
}

run_load() {  # $1: watch threads
  bench_serve "http://127.0.0.1:$port" "$kpi" serve --db "$work/db" --listen "127.0.0.1:$port" --watch-threads "$1"
  # Let the watches' first round run before measuring.
  [ "$1" -gt 0 ] && sleep 12
  local runs0 skipped0 cpu0 t
  runs0=$(metric_sum kpistore_watch_runs_total)
  skipped0=$(metric_sum kpistore_watch_skipped_total)
  cpu0=$(cpu_seconds "$server_pid")
  t=$wrk_threads; [ "$conns" -lt "$t" ] && t=$conns
  local line
  line=$(wrk -t"$t" -c"$conns" -d"${duration}s" --latency -s "$here/server_watch_query.lua" \
    "http://127.0.0.1:$port/v1/query" | wrk_summary | tr -d '\n')
  local cpu1 runs1 skipped1 failures
  cpu1=$(cpu_seconds "$server_pid")
  runs1=$(metric_sum kpistore_watch_runs_total)
  skipped1=$(metric_sum kpistore_watch_skipped_total)
  failures=$(metric_sum kpistore_watch_failures_total)
  run_ms=$(metric_sum kpistore_watch_run_duration_seconds | awk -v n="$watches" '{printf "%.1f", $1 * 1000 / n}')
  printf "   watches %-3s %s  server CPU %6.1f s  watch runs %5s (last run %s ms avg)  skipped %s  failed %s\n" \
    "$([ "$1" -gt 0 ] && echo on || echo off)" "$line" "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {print b - a}')" \
    "$((runs1 - runs0))" "$run_ms" "$((skipped1 - skipped0))" "$failures"
  bench_stop || true
}

echo "== small queries (bench/server_watch_query.lua) at $conns connections, ${duration}s per run, load $(cut -d' ' -f1 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  run_load 0
  run_load 1
done
