#!/usr/bin/env bash
# Macro benchmark: kpistore vs DuckDB on the same generated NDJSON, in one run.
#   bench/macro_bench.sh [TICKETS]   (default 1000000 -> ~6.9M events)
# Needs a built tree (build/) and, for the DuckDB side, @duckdb/node-api from
# the npm registry (installed into $DUCK_DIR, default /tmp/duck). Prints one
# line per measurement; docs/performance.md records the figures.
# Environment:
#   KPI_STORE=DIR    query a copy of an existing store of the same data
#                    instead of ingesting (no ingest line);
#   DUCK_MODES=raw,prebuilt  DuckDB's modes (bench/duckdb_kpis.mjs; default
#                    raw): `prebuilt` times every KPI on tables DuckDB derived
#                    beforehand, with the ratio to kpistore's warm time;
#   KPI_BIN_BEFORE=BIN  another kpi build, timed right before KPI_BIN's on
#                    each KPI (before/after in one run);
#   DUCK_DB=FILE     DuckDB file (default $work/duck.duckdb); with
#                    KPI_DUCK_REUSE=1 an earlier run's load is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-1000000}
work=${KPI_BENCH_DIR:-/tmp/kpi-macro}
duck=${DUCK_DIR:-/tmp/duck}
kpi=${KPI_BIN:-build/cli/kpi}
mkdir -p "$work"
data="$work/gen-$tickets.ndjson"

[ -f "$data" ] || $kpi gen --tickets "$tickets" --seed 42 --out "$data"
events=$(wc -l < "$data")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo "data: $tickets tickets, $events events, $(du -m "$data" | cut -f1) MB NDJSON"

# --- kpistore ingest (durable: WAL synced per batch and per seal) ---
rm -rf "$work/store"
if [ -n "${KPI_STORE:-}" ]; then
  cp -a "$KPI_STORE" "$work/store"
  echo "kpistore store: copy of $KPI_STORE"
else
  start=$(date +%s.%N)
  $kpi ingest -q --db "$work/store" "$data" >/dev/null
  end=$(date +%s.%N)
  bytes=$(du -sb "$work/store" | cut -f1)
  awk -v s="$start" -v e="$end" -v n="$events" -v b="$bytes" \
    'BEGIN { printf "kpistore ingest: %.2f s, %.0f events/s, %.2f bytes/event on disk\n", e - s, n / (e - s), b / n }'
fi

# --- kpistore queries: warm, best of 5 (the engine reports its own time) ---
source bench/contract_kpis.sh
for name in frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month escalation_by_channel_month \
            csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy cost_per_contact; do
  q="${KPI_QUERY[$name]}"
  # One process, the statement 6 times: the first run warms the segment cache.
  script=""
  for i in 1 2 3 4 5 6; do script+="$q;"$'\n'; done
  ms=$($kpi query --db "$work/store" --format json --timer -f <(printf '%s' "$script") 2>&1 >/dev/null |
       grep -oE '^time: [0-9]+(\.[0-9]+)? ms' | awk '{print $2}' | tail -n 5 | sort -n | head -1)
  echo "kpistore $name: $ms ms"
  # The answer itself, for the cell-by-cell check against DuckDB below, and
  # the time, for the ratio.
  mkdir -p "$work/answers"
  printf '%s' "$ms" > "$work/answers/$name.ms"
  $kpi query --db "$work/store" --format json "$q" > "$work/answers/$name.json"
done

# --- DuckDB, same data, same machine, same run ---
if [ -d "$duck/node_modules/@duckdb/node-api" ]; then
  # kpistore is timed again right before each DuckDB query (same load).
  KPI_BIN="$kpi" KPI_BIN_BEFORE="${KPI_BIN_BEFORE:-}" KPI_DB="$work/store" DUCK_DIR="$duck" node bench/duckdb_kpis.mjs "$data" "${DUCK_DB:-$work/duck.duckdb}" "$work/answers" \
    --modes "${DUCK_MODES:-raw}" | sed 's/^/duckdb /'
else
  echo "duckdb: not installed (npm install --prefix $duck @duckdb/node-api)"
fi
