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
command -v curl >/dev/null || { echo "http_ingest_vs_cli.sh: curl is not installed" >&2; exit 2; }
[ -x "$kpi" ] || { echo "http_ingest_vs_cli.sh: no $kpi (build the kpi target first)" >&2; exit 2; }

work="$(mktemp -d /tmp/kpi-http-ingest.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }

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
  "$kpi" serve --create --db "$work/http-db" --listen "127.0.0.1:$port" 2> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
  start=$(now)
  ls "$work"/parts/* | xargs -P "$parallel" -I{} curl -fsS -o /dev/null \
    -H "Content-Type: application/x-ndjson" --data-binary @{} "http://127.0.0.1:$port/v1/events"
  end=$(now)
  stored=$(curl -fsS "http://127.0.0.1:$port/v1/query?format=csv" --data-urlencode "q=select count() as n from events" -G | tail -n 1)
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
  awk -v s="$start" -v e="$end" -v n="$n" -v c="$c" -v p="$parallel" -v cli="$cli_rate" -v st="$stored" \
    'BEGIN { r = n / (e - s); printf "http ingest, %d events per POST, %d in flight: %.0f events/s = %.0f%% of cli (stored %s)\n", c, p, r, 100 * r / cli, st }'
done
