#!/usr/bin/env bash
# Cold queries (issues 9 and 13): `select count() from tickets` and the
# contract examples, each run three ways on a copy of a store (1M tickets by
# default):
#   cold:    a new `kpi query` process right after the page cache is dropped
#            (echo 3 > /proc/sys/vm/drop_caches, when root; otherwise the
#            line says so and the store's files may still be cached): wall
#            time, CPU time (user + sys, 10 ms steps) and peak RSS from
#            /usr/bin/time;
#   process: a new process again, page cache warm;
#   warm:    the statement 6 times in one process, the best of the last 5
#            statement times (--timer), as bench/macro_bench.sh measures warm.
# Prints one line per query with cold/warm and process/warm. One run of each:
# the machine is noisy, compare within the run.
#   bench/cold_query_bench.sh [STORE]   (default /tmp/kpi-eval-bench-1000000)
# KPI_BIN_BEFORE=path/to/old/kpi runs every query with that binary too,
# right before the current one (same minute): before -> after in one run.
# KPI_STORE_BEFORE=DIR gives the before binary a store of its own (the same
# events written by that build, to compare segment formats) instead of a
# copy of STORE.
# Each binary queries its own copy of STORE, which it first compacts with
# `kpi compact` (so both copies are laid out alike, and a store written
# before zone-map live counts gets them, see docs/storage-format.md "Zone
# map value"; without KPI_BIN_BEFORE the one copy is compacted too). KPI_COLD_QUERIES="count_tickets
# ..." runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/tmp/kpi-eval-bench-1000000}
kpi=${KPI_BIN:-build/cli/kpi}
work=${KPI_BENCH_DIR:-/tmp/kpi-cold-bench}
[ -d "$src" ] || { echo "no store at $src (bench/macro_bench.sh or kpi ingest makes one)"; exit 2; }
mkdir -p "$work"
rm -rf "$work/store" "$work/store-before"
cp -a "$src" "$work/store"  # queries open read-only, but never touch the original
stores=("$work/store")

if [ -w /proc/sys/vm/drop_caches ]; then
  drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
  cold_note="page cache dropped before each cold run"
else
  drop() { :; }
  cold_note="NOT root: page cache not dropped, cold = new process only"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo "store: $src ($(du -sm "$src" | cut -f1) MB), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cold: $cold_note"

names=(count_tickets frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month
       escalation_by_channel_month csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy
       cost_per_contact)
[ -n "${KPI_COLD_QUERIES:-}" ] && read -r -a names <<< "$KPI_COLD_QUERIES"
bins=("$kpi")
labels=(after)
if [ -n "${KPI_BIN_BEFORE:-}" ]; then
  cp -a "${KPI_STORE_BEFORE:-$src}" "$work/store-before"
  bins=("$KPI_BIN_BEFORE" "$kpi")
  labels=(before after)
  stores=("$work/store-before" "$work/store")
fi
for i in "${!bins[@]}"; do "${bins[$i]}" compact --db "${stores[$i]}"; done
source bench/contract_kpis.sh
KPI_QUERY[count_tickets]='select count() from tickets'

# "wall_us peak_kb cpu_s" of one new process of binary $1 on store $2
# running $3 (the wall clock around /usr/bin/time, whose own %e has 10 ms
# steps).
process() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M %U %S' -o "$work/time" "$1" query --db "$2" --format csv "$3" > /dev/null
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(tail -n 1 "$work/time" | awk '{print $1, $2 + $3}')"
}

printf '%-30s %-6s %9s %7s %8s %10s %8s %9s %9s %9s\n' query binary cold_ms cold_cpu cold_MB process_ms proc_cpu warm_ms \
  cold/warm proc/warm
for name in "${names[@]}"; do
  q="${KPI_QUERY[$name]}"
  for i in "${!bins[@]}"; do
    bin="${bins[$i]}"
    db="${stores[$i]}"
    drop
    read -r cold_us cold_kb cold_cpu < <(process "$bin" "$db" "$q")
    read -r proc_us _ proc_cpu < <(process "$bin" "$db" "$q")
    script=""
    for k in 1 2 3 4 5 6; do script+="$q;"$'\n'; done
    warm_ms=$("$bin" query --db "$db" --format csv --timer -f <(printf '%s' "$script") 2>&1 >/dev/null |
              grep -oE '^time: [0-9]+(\.[0-9]+)? ms' | awk '{print $2}' | tail -n 5 | sort -n | head -1)
    awk -v n="$name" -v b="${labels[$i]}" -v c="$cold_us" -v cc="$cold_cpu" -v k="$cold_kb" -v p="$proc_us" \
        -v pc="$proc_cpu" -v w="$warm_ms" 'BEGIN {
      cw = w > 0 ? sprintf("%8.1fx", c / 1000 / w) : "        -"
      pw = w > 0 ? sprintf("%8.1fx", p / 1000 / w) : "        -"
      printf "%-30s %-6s %9.1f %7.2f %8.0f %10.1f %8.2f %9.2f %s %s\n", n, b, c / 1000, cc, k / 1024, p / 1000, pc, w,
             cw, pw }'
  done
done
