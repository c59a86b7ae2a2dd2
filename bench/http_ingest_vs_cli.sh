#!/usr/bin/env bash
# HTTP ingest vs CLI ingest of the same `kpi gen` NDJSON, side by side:
#   bench/http_ingest_vs_cli.sh [build-dir]        (default: build)
# Knobs (environment): EVENTS=1000000 (lines taken from the generated file)
#   CHUNKS="10000 50000 100000" (events per POST) PARALLEL=2 (uploads in flight)
#   PORT=7073
# Both sides are durable (WAL fsync per batch and per seal). The HTTP side
# POSTs the file split into chunks with curl, PARALLEL at a time; the server
# coalesces concurrent uploads into shared seals (server/group_commit.h).
set -euo pipefail
build="${1:-build}"
kpi="$build/cli/kpi"
events="${EVENTS:-1000000}"
chunks="${CHUNKS:-10000 50000 100000}"
parallel="${PARALLEL:-2}"
port="${PORT:-7073}"
. "$(dirname "$0")/lib/server_bench.sh"
bench_require curl
bench_require_kpi "$kpi"
bench_workdir kpi-http-ingest

tickets=$(( events / 6 + 1 ))
"$kpi" gen --tickets "$tickets" --seed 7 -q -o "$work/all.ndjson"
head -n "$events" "$work/all.ndjson" > "$work/events.ndjson"
rm "$work/all.ndjson"
n=$(wc -l < "$work/events.ndjson")
echo "data: $n events ($(du -m "$work/events.ndjson" | cut -f1) MB NDJSON)"

start=$(now)
"$kpi" ingest -q --db "$work/cli-db" "$work/events.ndjson" >/dev/null
end=$(now)
cli_rate=$(awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%.0f", n / (e - s) }')
echo "cli ingest: $cli_rate events/s"

for c in $chunks; do
  rm -rf "$work/parts" "$work/http-db"
  mkdir "$work/parts"
  split -l "$c" -d -a 5 "$work/events.ndjson" "$work/parts/p"
  bench_serve "http://127.0.0.1:$port" "$kpi" serve --create --db "$work/http-db" --listen "127.0.0.1:$port"
  start=$(now)
  ls "$work"/parts/* | xargs -P "$parallel" -I{} curl -fsS -o /dev/null \
    -H "Content-Type: application/x-ndjson" --data-binary @{} "http://127.0.0.1:$port/v1/events"
  end=$(now)
  stored=$(curl -fsS "http://127.0.0.1:$port/v1/query?format=csv" --data-urlencode "q=select count() as n from events" -G | tail -n 1)
  bench_stop || true
  awk -v s="$start" -v e="$end" -v n="$n" -v c="$c" -v p="$parallel" -v cli="$cli_rate" -v st="$stored" \
    'BEGIN { r = n / (e - s); printf "http ingest, %d events per POST, %d in flight: %.0f events/s = %.0f%% of cli (stored %s)\n", c, p, r, 100 * r / cli, st }'
done
