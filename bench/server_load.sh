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

command -v wrk >/dev/null || { echo "server_load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "server_load.sh: curl is not installed" >&2; exit 2; }
[ -x "$kpi" ] || { echo "server_load.sh: no $kpi (build the kpi target first)" >&2; exit 2; }

work="$(mktemp -d /tmp/kpi-server-load.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== data: $tickets tickets"
"$kpi" gen --tickets "$tickets" --days 90 -q -o "$work/events.ndjson"
"$kpi" ingest --db "$work/db" -q "$work/events.ndjson"
events=$(wc -l < "$work/events.ndjson")
echo "   $events events loaded"

echo "== server on 127.0.0.1:$port"
$serve_cmd --db "$work/db" --listen "127.0.0.1:$port" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

summarize() {  # wrk output on stdin -> "req/s p50 p99 non2xx"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       /Non-2xx/ {bad=$NF} END {printf "%s req/s  p50 %s  p99 %s  non-2xx %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}'
}

echo "== small KPI queries (POST /v1/query), ${duration}s each"
for c in $conns; do
  t=$wrk_threads; [ "$c" -lt "$t" ] && t=$c
  printf "   %3s connections: " "$c"
  wrk -t"$t" -c"$c" -d"${duration}s" --latency -s "$here/server_load_query.lua" \
    "http://127.0.0.1:$port/v1/query" | summarize
done

echo "== HTTP ingest (POST /v1/events, $EVENTS_PER_REQUEST new events per request, fsync per batch), ${duration}s"
out=$(wrk -t1 -c1 -d"${duration}s" --latency -s "$here/server_load_ingest.lua" "http://127.0.0.1:$port/v1/events")
line=$(echo "$out" | summarize)
rps=$(echo "$line" | awk '{print $1}')
printf "   %s  => %.0f events/s\n" "$line" "$(awk -v r="$rps" -v n="$EVENTS_PER_REQUEST" 'BEGIN {print r * n}')"

echo "== metrics sample"
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^kpi_(http_requests_total|events_ingested_total|store_bytes)' | head -8 | sed 's/^/   /'

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
echo "== server exited with status $status after SIGTERM"
[ "$status" -eq 0 ]
