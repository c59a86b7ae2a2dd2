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

. "$here/lib/server_bench.sh"
bench_require wrk curl openssl
bench_require_kpi "$kpi"
bench_workdir kpi-tls-load

echo "== data: $tickets tickets"
bench_generated_store "$kpi" "$tickets"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# run <plain|tls> -> prints "requests/s p99 server-CPU-microseconds-per-request"
run() {
  local mode=$1 scheme=http extra=()
  if [ "$mode" = tls ]; then scheme=https; extra=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem"); fi
  bench_serve "$scheme://127.0.0.1:$port" "$kpi" serve --db "$work/db" --listen "127.0.0.1:$port" "${serve_flags[@]}" "${extra[@]}"
  local t=$wrk_threads
  [ "$conns" -lt "$t" ] && t=$conns
  local out cpu0 cpu1
  cpu0=$(cpu_seconds "$server_pid")
  out=$(wrk -t"$t" -c"$conns" -d"${duration}s" --latency -s "$here/server_load_query.lua" "$scheme://127.0.0.1:$port/v1/query")
  cpu1=$(cpu_seconds "$server_pid")
  if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; echo "server_tls_load.sh: non-2xx answers" >&2; exit 1; fi
  local status=0
  bench_stop || status=$?
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
