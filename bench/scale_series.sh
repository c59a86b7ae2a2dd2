#!/usr/bin/env bash
# Scale series (issue 13): for each N in TICKETS (default 1M, 4M, 20M)
#   ingest: `kpi gen --tickets N --out - | kpi ingest --db STORE -` (streamed,
#           no file on disk; --no-sync, durability is not what is measured):
#           the ingest's peak RSS and CPU (user + system) from /usr/bin/time,
#           and its events/s from its summary;
#   cold:   `select count() from tickets` in a new process right after the
#           page cache is dropped (when root): wall ms and peak RSS;
#   warm:   the 10 contract examples (bench/contract_kpis.sh), each 4 times
#           in one process, the best of the last 3 (--timer), summed, and
#           per event stored.
# One line per N; compare within one run (the machine is shared and noisy).
#   TICKETS="1000000 4000000" INGEST_FLAGS="--memory-limit none" bench/scale_series.sh
set -euo pipefail
cd "$(dirname "$0")/.."
kpi=${KPI_BIN:-build/cli/kpi}
work=${KPI_BENCH_DIR:-/tmp/kpi-scale-bench}
tickets=${TICKETS:-"1000000 4000000 20000000"}
flags=${INGEST_FLAGS:-}
mkdir -p "$work"
if [ -w /proc/sys/vm/drop_caches ]; then
  drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
else
  drop() { :; }
  echo "NOT root: page cache not dropped, cold = new process only"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $kpi ($(git rev-parse --short HEAD 2>/dev/null || echo '?')), ingest flags: ${flags:-none}"
source bench/contract_kpis.sh
names=(frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month escalation_by_channel_month
       csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy cost_per_contact)

printf '%10s %11s %9s %8s %9s %8s %8s %9s %9s %10s\n' tickets events peak_MB cpu_s wall_s ev/s disk_MB count_ms count_MB warm_ns/ev
for n in $tickets; do
  db="$work/store-$n"
  rm -rf "$db"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$kpi" gen --tickets "$n" -q --out - |
    /usr/bin/time -f '%M %U %S' -o "$work/ingest.time" "$kpi" ingest --db "$db" --no-sync -q $flags - > "$work/ingest.out"
  end=$(date +%s%N)
  read -r peak_kb user_s sys_s < "$work/ingest.time"
  events=$(grep -oE 'accepted [0-9,]+' "$work/ingest.out" | tr -d , | awk '{print $2}')
  rate=$(grep -oE '[0-9,]+ events/s' "$work/ingest.out" | tr -d , | awk '{print $1}')
  disk_mb=$(du -sm "$db" | cut -f1)
  drop
  c_start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/count.time" "$kpi" query --db "$db" --format csv 'select count() from tickets' > /dev/null
  c_end=$(date +%s%N)
  count_kb=$(tail -n 1 "$work/count.time")
  warm_total=0
  for name in "${names[@]}"; do
    q="${KPI_QUERY[$name]}"
    script=""
    for i in 1 2 3 4; do script+="$q;"$'\n'; done
    w=$("$kpi" query --db "$db" --format csv --timer -f <(printf '%s' "$script") 2>&1 >/dev/null |
        grep -oE '^time: [0-9]+(\.[0-9]+)? ms' | awk '{print $2}' | tail -n 3 | sort -n | head -1)
    warm_total=$(awk -v a="$warm_total" -v b="$w" 'BEGIN { print a + b }')
  done
  awk -v n="$n" -v e="$events" -v k="$peak_kb" -v u="$user_s" -v s="$sys_s" -v w="$(( (end - start) / 1000000 ))" \
      -v r="$rate" -v d="$disk_mb" -v c="$(( (c_end - c_start) / 1000 ))" -v ck="$count_kb" -v wt="$warm_total" 'BEGIN {
    printf "%10d %11d %9.0f %8.1f %9.1f %8d %8d %9.1f %9.0f %10.2f\n", n, e, k / 1024, u + s, w / 1000, r, d, c / 1000,
           ck / 1024, wt * 1e6 / e }'
done
