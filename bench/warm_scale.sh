#!/usr/bin/env bash
# Warm catalog KPIs per stored event on existing stores (issue 13: "no
# slower per event at 20M than at 1M"). For each STORE and each binary of
# BINS (label=path, alternating per KPI so before/after share the minute):
# the 10 contract examples (bench/contract_kpis.sh), each RUNS times in one
# `kpi query` process (--timer; --memory-limit LIMIT, default none = the
# built-in 2 GiB segment cache), the best of runs 2..RUNS of the statement's
# CPU and wall time, summed over the 10, and per event stored; plus the
# segment cache's hit rate of each process, and the share of the loads
# that found only the segment's derived values read it hollow without
# decoding (docs/storage-format.md "Read path"). Stores are only read.
#   BINS="before=/tmp/kpi-old after=build/cli/kpi" LIMIT=340M bench/warm_scale.sh STORE...
# Prints one line per KPI, store and binary, then a summary per store and binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bins=${BINS:-"kpi=build/cli/kpi"}
limit=${LIMIT:-none}
runs=${RUNS:-4}
source bench/contract_kpis.sh
names=(frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month escalation_by_channel_month
       csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy cost_per_contact)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg), --memory-limit $limit, $runs runs"
declare -A cpu wall
for db in "$@"; do
  first_bin=${bins%% *}
  events=$("${first_bin#*=}" query --db "$db" --format csv 'select count() from events' | tail -n 1)
  for name in "${names[@]}"; do
    : > "$tmp/script"
    for ((i = 0; i < runs; i++)); do printf '%s;\n' "${KPI_QUERY[$name]}" >> "$tmp/script"; done
    for pair in $bins; do
      label=${pair%%=*}
      if ! "${pair#*=}" query --db "$db" --memory-limit "$limit" --format csv --timer -f "$tmp/script" \
        > /dev/null 2> "$tmp/err"; then
        echo "$label $name failed:" >&2
        cat "$tmp/err" >&2
        exit 1
      fi
      # "time: W ms (engine E ms, cpu C ms)": best of runs 2..RUNS
      read -r w c < <(grep -E '^time: ' "$tmp/err" | tail -n +2 |
                      sed -E 's/^time: ([0-9.]+) ms .*cpu ([0-9.]+) ms.*/\1 \2/' | sort -n -k2 | head -n 1)
      hits=$(grep -E '^segment cache: ' "$tmp/err" | grep -oE '[0-9.]+ % of [0-9,]+ lookups hit' || echo "no lookups")
      # Segments read hollow (their derived values only, never decoded);
      # builds before the derived-values cache print no such line.
      hollow=$(grep -E '^derived values: ' "$tmp/err" | grep -oE '[0-9.]+ % of [0-9,]+ lookups hit' || echo "-")
      printf '%-8s %-30s %-8s cpu %8.1f ms  wall %8.1f ms  segments %s; hollow %s\n' "$(basename "$db")" "$name" \
        "$label" "$c" "$w" "$hits" "$hollow"
      cpu[$db.$label]=$(awk -v a="${cpu[$db.$label]:-0}" -v b="$c" 'BEGIN { print a + b }')
      wall[$db.$label]=$(awk -v a="${wall[$db.$label]:-0}" -v b="$w" 'BEGIN { print a + b }')
    done
  done
  for pair in $bins; do
    label=${pair%%=*}
    awk -v s="$(basename "$db")" -v l="$label" -v e="$events" -v c="${cpu[$db.$label]}" -v w="${wall[$db.$label]}" 'BEGIN {
      printf "%-8s %-8s events %11d  10 KPIs: cpu %8.1f ms (%6.1f ns/event)  wall %8.1f ms (%6.1f ns/event)\n",
             s, l, e, c, c * 1e6 / e, w, w * 1e6 / e }'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
