#!/usr/bin/env bash
# Ingest at any arrival order, in one run: the same `kpi gen` events
# time-sorted, shuffled (`kpi gen --shuffle`), then the sorted file ingested
# again into the sorted store (every event a duplicate).
#   bench/ingest_order_bench.sh [TICKETS] [ROUNDS]   (default 1000000, 1)
# Prints, per ingest: wall time, peak RSS (/usr/bin/time -v), bytes/event on
# disk (the whole store directory after the ingest), and the ratios that
# docs/performance.md tracks (shuffled / sorted, re-ingest / first ingest).
# Ratios are taken within one round: this machine's speed drifts by +-30 %
# from one minute to the next. KPI_BIN picks the binary (default build/cli/kpi).
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-1000000}
rounds=${2:-1}
work=${KPI_BENCH_DIR:-/tmp/kpi-order}
kpi=${KPI_BIN:-build/cli/kpi}
mkdir -p "$work"
sorted="$work/gen-$tickets.ndjson"
shuffled="$work/gen-$tickets-shuffled.ndjson"
[ -f "$sorted" ] || $kpi gen -q --tickets "$tickets" --seed 42 --out "$sorted"
[ -f "$shuffled" ] || $kpi gen -q --tickets "$tickets" --seed 42 --shuffle --out "$shuffled"
events=$(wc -l < "$sorted")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M')"
echo "data: $tickets tickets, $events events, $(du -m "$sorted" | cut -f1) MB NDJSON"

# run LABEL STORE FILE: one `kpi ingest`, prints its line, sets $secs.
run() {
  local label=$1 store=$2 file=$3 log="$work/time.log"
  /usr/bin/time -v -o "$log" $kpi ingest -q --db "$store" "$file" > "$work/summary.txt"
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
         for (i = 1; i <= n; ++i) s = s * 60 + p[i]; print s }' "$log")
  local rss_kb bytes
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  bytes=$(du -sb "$store" | cut -f1)
  awk -v l="$label" -v s="$secs" -v r="$rss_kb" -v b="$bytes" -v n="$events" -v sum="$(tr '\n' ' ' < "$work/summary.txt")" \
    'BEGIN { printf "%-10s %6.2f s  %5.0fk events/s  peak RSS %5.2f GB  %5.2f bytes/event  | %s\n",
             l, s, n / s / 1000, r / 1048576, b / n, sum }'
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  rm -rf "$work/sorted" "$work/shuffled"
  run sorted "$work/sorted" "$sorted";     t_sorted=$secs
  run shuffled "$work/shuffled" "$shuffled"; t_shuffled=$secs
  # The same file again, from line 1 (no --resume): nothing new.
  run re-ingest "$work/sorted" "$sorted";  t_again=$secs
  awk -v a="$t_sorted" -v b="$t_shuffled" -v c="$t_again" \
    'BEGIN { printf "ratios: shuffled/sorted %.2fx, re-ingest/first %.2fx\n", b / a, c / a }'
done
