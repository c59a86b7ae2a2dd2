#!/usr/bin/env bash
# TLS cost of `kpi serve` (issue 14): small KPI queries (bench/server_load_query.lua)
# over keep-alive connections, plain HTTP and then HTTPS on the same store,
# same flags, one server at a time; prints both rates and TLS / plain.
# Target: TLS >= 70 % of plain at 8 connections. Also prints the server's
# CPU time per request in each mode (from /proc/PID/stat): on a machine
# shared with other work, plain/TLS CPU per request is the steadier ratio.
#   1. generates synthetic tickets and bulk-loads them with `kpi ingest`;
#   2. makes a throwaway P-256 certificate with the openssl CLI;
#   3. for plain, then TLS: starts the server on 127.0.0.1, waits for
#      /health, runs wrk (keep-alive; the handshake is paid once per
#      connection), SIGTERM, checks exit status 0.
# Usage: bench/server_tls_load.sh [build-dir]     (default: build)
# Knobs (environment): TICKETS=20000 DURATION=10 CONNS=8 PORT=7072 WRK_THREADS=2 ROUNDS=1
#   (ROUNDS > 1 alternates plain/TLS that many times and prints every pair)
#   SERVE_FLAGS="--threads-per-client 2 --rate-limit 0" (one client address:
#   without them the per-client caps, not the server, set the pace of both)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
kpi="$build/cli/kpi"
tickets="${TICKETS:-20000}"
duration="${DURATION:-10}"
conns="${CONNS:-8}"
port="${PORT:-7072}"
wrk_threads="${WRK_THREADS:-2}"
rounds="${ROUNDS:-1}"
read -r -a serve_flags <<< "${SERVE_FLAGS:---threads-per-client 2 --rate-limit 0}"

for tool in wrk curl openssl; do
  command -v "$tool" >/dev/null || { echo "server_tls_load.sh: $tool is not installed" >&2; exit 2; }
done
[ -x "$kpi" ] || { echo "server_tls_load.sh: no $kpi (build the kpi target first)" >&2; exit 2; }

work="$(mktemp -d /tmp/kpi-tls-load.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== data: $tickets tickets"
"$kpi" gen --tickets "$tickets" --days 90 -q -o "$work/events.ndjson"
"$kpi" ingest --db "$work/db" -q "$work/events.ndjson"
echo "   $(wc -l < "$work/events.ndjson") events loaded"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# CPU seconds the process has used (user + system).
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

# run <plain|tls> -> prints "requests/s p99 server-CPU-microseconds-per-request"
run() {
  local mode=$1 scheme=http extra=()
  if [ "$mode" = tls ]; then scheme=https; extra=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem"); fi
  "$kpi" serve --db "$work/db" --listen "127.0.0.1:$port" "${serve_flags[@]}" "${extra[@]}" 2>> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -ksS "$scheme://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -kfsS "$scheme://127.0.0.1:$port/health" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
  local t=$wrk_threads
  [ "$conns" -lt "$t" ] && t=$conns
  local out cpu0 cpu1
  cpu0=$(cpu_seconds "$server_pid")
  out=$(wrk -t"$t" -c"$conns" -d"${duration}s" --latency -s "$here/server_load_query.lua" "$scheme://127.0.0.1:$port/v1/query")
  cpu1=$(cpu_seconds "$server_pid")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "server_tls_load.sh: non-2xx answers" >&2; exit 1; fi
  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  [ "$status" -eq 0 ] || { echo "server exited with $status" >&2; cat "$work/server.log" >&2; exit 1; }
  echo "$out" | awk -v cpu="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {print b - a}')" '
    /requests in/ {n=$1} /Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2}
    END {printf "%s %s %.0f\n", rps, p99, 1e6 * cpu / n}'
}

echo "== small KPI queries (POST /v1/query), $conns keep-alive connections, ${duration}s each"
for r in $(seq 1 "$rounds"); do
  read -r plain plain_p99 plain_cpu < <(run plain)
  read -r tls tls_p99 tls_cpu < <(run tls)
  ratio=$(awk -v a="$tls" -v b="$plain" 'BEGIN {printf "%.1f", 100 * a / b}')
  cpu_ratio=$(awk -v a="$tls_cpu" -v b="$plain_cpu" 'BEGIN {printf "%.1f", 100 * b / a}')
  printf "   round %d: plain %s req/s (p99 %s, server %s us CPU/req)  TLS %s req/s (p99 %s, %s us CPU/req)  TLS/plain %s %% (by server CPU: %s %%)\n" \
    "$r" "$plain" "$plain_p99" "$plain_cpu" "$tls" "$tls_p99" "$tls_cpu" "$ratio" "$cpu_ratio"
done
