#!/usr/bin/env bash
# HTTP load benchmark of `kpi serve` with wrk (loopback only, bounded time):
#   1. generates synthetic tickets and bulk-loads them with `kpi ingest`;
#   2. starts the server on 127.0.0.1 and waits for /health;
#   3. small KPI queries (bench/server_load_query.lua): requests/s and p99
#      latency at each connection count in CONNS;
#   4. HTTP ingest (bench/server_load_ingest.lua): batches of
#      EVENTS_PER_REQUEST new events per POST, durable (fsync) before each
#      reply: events/s;
#   5. SIGTERM, and checks the server exits 0.
# Usage: bench/server_load.sh [build-dir]     (default: build)
# Knobs (environment): TICKETS=20000 DURATION=10 CONNS="1 8 32"
#   EVENTS_PER_REQUEST=1000 PORT=7071 WRK_THREADS=2
#   KPI_SERVE="<command that takes: --db DIR --listen ADDR>" (default "$BUILD/cli/kpi serve")
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
kpi="$build/cli/kpi"
serve_cmd="${KPI_SERVE:-$kpi serve}"
tickets="${TICKETS:-20000}"
duration="${DURATION:-10}"
conns="${CONNS:-1 8 32}"
port="${PORT:-7071}"
wrk_threads="${WRK_THREADS:-2}"
export EVENTS_PER_REQUEST="${EVENTS_PER_REQUEST:-1000}"

. "$here/lib/server_bench.sh"
bench_require wrk curl
bench_require_kpi "$kpi"
bench_workdir kpi-server-load

echo "== data: $tickets tickets"
bench_generated_store "$kpi" "$tickets"

echo "== server on 127.0.0.1:$port"
# shellcheck disable=SC2086  # KPI_SERVE is a command line
bench_serve "http://127.0.0.1:$port" $serve_cmd --db "$work/db" --listen "127.0.0.1:$port"

echo "== small KPI queries (POST /v1/query), ${duration}s each"
for c in $conns; do
  t=$wrk_threads; [ "$c" -lt "$t" ] && t=$c
  printf "   %3s connections: " "$c"
  wrk -t"$t" -c"$c" -d"${duration}s" --latency -s "$here/server_load_query.lua" \
    "http://127.0.0.1:$port/v1/query" | wrk_summary
done

echo "== HTTP ingest (POST /v1/events, $EVENTS_PER_REQUEST new events per request, fsync per batch), ${duration}s"
out=$(wrk -t1 -c1 -d"${duration}s" --latency -s "$here/server_load_ingest.lua" "http://127.0.0.1:$port/v1/events")
line=$(echo "$out" | wrk_summary)
rps=$(echo "$line" | awk '{print $1}')
printf "   %s  => %.0f events/s\n" "$line" "$(awk -v r="$rps" -v n="$EVENTS_PER_REQUEST" 'BEGIN {print r * n}')"

echo "== metrics sample"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^kpi_(http_requests_total|events_ingested_total|store_bytes)' | head -8 | sed 's/^/   /'

status=0
bench_stop || status=$?
echo "== server exited with status $status after SIGTERM"
[ "$status" -eq 0 ]
