#!/usr/bin/env bash
# Cold queries (issues 9 and 13): `select count() from tickets` and the
# contract examples, each run three ways on a copy of a 1M-ticket store:
#   cold:    a new `kpi query` process right after the page cache is dropped
#            (echo 3 > /proc/sys/vm/drop_caches, when root; otherwise the
#            line says so and the store's files may still be cached): wall
#            time and peak RSS from /usr/bin/time;
#   process: a new process again, page cache warm;
#   warm:    the statement 6 times in one process, the best of the last 5
#            statement times (--timer), as bench/macro_bench.sh measures warm.
# Prints one line per query with cold/warm and process/warm. One run of each:
# the machine is noisy, compare within the run.
#   bench/cold_query_bench.sh [STORE]   (default /tmp/kpi-eval-bench-1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/tmp/kpi-eval-bench-1000000}
kpi=${KPI_BIN:-build/cli/kpi}
work=${KPI_BENCH_DIR:-/tmp/kpi-cold-bench}
[ -d "$src" ] || { echo "no store at $src (bench/macro_bench.sh or kpi ingest makes one)"; exit 2; }
mkdir -p "$work"
rm -rf "$work/store"
cp -a "$src" "$work/store"  # queries open read-only, but never touch the original
db="$work/store"

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
source bench/contract_kpis.sh
KPI_QUERY[count_tickets]='select count() from tickets'

# "wall_ms peak_kb" of one new process running $1 (the wall clock around
# /usr/bin/time, whose own %e has 10 ms steps).
process() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time" "$kpi" query --db "$db" --format csv "$1" > /dev/null
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 )) $(tail -n 1 "$work/time")"
}

printf '%-30s %9s %8s %10s %9s %8s %9s\n' query cold_ms cold_MB process_ms warm_ms cold/warm proc/warm
for name in "${names[@]}"; do
  q="${KPI_QUERY[$name]}"
  drop
  read -r cold_us cold_kb < <(process "$q")
  read -r proc_us _ < <(process "$q")
  script=""
  for i in 1 2 3 4 5 6; do script+="$q;"$'\n'; done
  warm_ms=$("$kpi" query --db "$db" --format csv --timer -f <(printf '%s' "$script") 2>&1 >/dev/null |
            grep -oE '^time: [0-9]+(\.[0-9]+)? ms' | awk '{print $2}' | tail -n 5 | sort -n | head -1)
  awk -v n="$name" -v c="$cold_us" -v k="$cold_kb" -v p="$proc_us" -v w="$warm_ms" 'BEGIN {
    printf "%-30s %9.1f %8.0f %10.1f %9.1f %8.1fx %8.1fx\n", n, c / 1000, k / 1024, p / 1000, w, c / 1000 / w, p / 1000 / w }'
done
