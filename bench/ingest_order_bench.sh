#!/usr/bin/env bash
# Ingest at any arrival order, and re-ingest, in one run. The same `kpi gen`
# events time-sorted and shuffled (`kpi gen --shuffle`), each into a new
# store; then, into the sorted store: the sorted file again (its chunks are
# known: skipped unparsed), the same with --no-skip-known (every line parsed,
# as before known chunks existed), the shuffled file (same events, other
# chunks: nothing to skip), and the sorted file with 10 % new tickets
# appended (only the last old chunk and the new lines are read).
#   bench/ingest_order_bench.sh [TICKETS] [ROUNDS]   (default 1000000, 1)
# Prints, per ingest: wall time, CPU seconds (user + system), peak RSS
# (/usr/bin/time -v), bytes/event on disk (the whole store directory after
# the ingest, over the events it holds), and the ratios docs/performance.md
# tracks, in CPU seconds (wall time drifts with the other work on this
# machine): shuffled / sorted, each re-ingest / the first ingest. Ratios are
# taken within one round. KPI_BIN picks the binary (default build/cli/kpi).
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-1000000}
rounds=${2:-1}
work=${KPI_BENCH_DIR:-/tmp/kpi-order}
kpi=${KPI_BIN:-build/cli/kpi}
mkdir -p "$work"
sorted="$work/gen-$tickets.ndjson"
shuffled="$work/gen-$tickets-shuffled.ndjson"
appended="$work/gen-$tickets-appended.ndjson"
[ -f "$sorted" ] || $kpi gen -q --tickets "$tickets" --seed 42 --out "$sorted"
[ -f "$shuffled" ] || $kpi gen -q --tickets "$tickets" --seed 42 --shuffle --out "$shuffled"
if [ ! -f "$appended" ]; then
  # New tickets (ids N...) created over the 30 days after the sorted file's.
  cp "$sorted" "$appended.tmp"
  $kpi gen -q --tickets $((tickets / 10)) --seed 7 --start 2026-01-01 --days 30 --out - |
    sed 's/"ticket":"T/"ticket":"N/' >> "$appended.tmp"
  mv "$appended.tmp" "$appended"
fi
events=$(wc -l < "$sorted")
appended_events=$(wc -l < "$appended")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M')"
echo "data: $tickets tickets, $events events, $(du -m "$sorted" | cut -f1) MB NDJSON;" \
     "appended: $appended_events events"

# run LABEL STORE FILE STORED [FLAGS...]: one `kpi ingest`, prints its line,
# sets $cpu (user + system seconds). STORED: events the store holds after.
run() {
  local label=$1 store=$2 file=$3 stored=$4 log="$work/time.log"
  shift 4
  /usr/bin/time -v -o "$log" $kpi ingest -q "$@" --db "$store" "$file" > "$work/summary.txt"
  local secs rss_kb bytes
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
         for (i = 1; i <= n; ++i) s = s * 60 + p[i]; print s }' "$log")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$log")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  bytes=$(du -sb "$store" | cut -f1)
  awk -v l="$label" -v s="$secs" -v c="$cpu" -v r="$rss_kb" -v b="$bytes" -v n="$stored" \
      -v sum="$(tr '\n' ' ' < "$work/summary.txt")" \
    'BEGIN { printf "%-18s %6.2f s wall %6.2f s CPU  peak RSS %5.2f GB  %5.2f bytes/event  | %s\n",
             l, s, c, r / 1048576, b / n, sum }'
}

for round in $(seq 1 "$rounds"); do
  echo "round $round"
  rm -rf "$work/sorted" "$work/shuffled"
  run sorted "$work/sorted" "$sorted" "$events";             c_sorted=$cpu
  run shuffled "$work/shuffled" "$shuffled" "$events";       c_shuffled=$cpu
  # Into the sorted store, from line 1 (no --resume): nothing new.
  run re-ingest "$work/sorted" "$sorted" "$events";          c_again=$cpu
  run re-ingest-parsed "$work/sorted" "$sorted" "$events" --no-skip-known; c_parsed=$cpu
  run shuffled-into-sorted "$work/sorted" "$shuffled" "$events"; c_mixed=$cpu
  run appended "$work/sorted" "$appended" "$appended_events"; c_appended=$cpu
  awk -v a="$c_sorted" -v b="$c_shuffled" -v c="$c_again" -v d="$c_parsed" -v e="$c_mixed" -v f="$c_appended" \
    'BEGIN { printf "ratios (CPU): shuffled/sorted %.2fx; re-ingest/first %.3fx (--no-skip-known %.2fx," \
             " shuffled file %.2fx); appended/first %.3fx\n", b / a, c / a, d / a, e / a, f / a }'
done
