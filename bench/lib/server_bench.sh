# shellcheck shell=bash
# Shared pieces of the server benchmarks (bench/server_*.sh, small_uploads.sh,
# http_ingest_vs_cli.sh): one scratch folder removed on exit, one server at a
# time started in the background and stopped by SIGTERM, CPU seconds from
# /proc, and wrk's summary. Source it after `set -euo pipefail`:
#   . "$(dirname "$0")/lib/server_bench.sh"
# It defines $bench_name (the script's file name), $work and $server_pid.

bench_name="$(basename "$0")"

# bench_require TOOL... : exits 2 naming the first tool not installed.
bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$bench_name: $tool is not installed" >&2; exit 2; }
  done
}

# bench_require_kpi KPI : exits 2 when the kpi binary is not built.
bench_require_kpi() {
  [ -x "$1" ] || { echo "$bench_name: no $1 (build the kpi target first)" >&2; exit 2; }
}

# bench_workdir PREFIX : a scratch folder in $work, removed (with any server
# still running) when the script exits.
bench_workdir() {
  work="$(mktemp -d "/tmp/$1.XXXXXX")"
  server_pid=""
  trap bench_cleanup EXIT
}
bench_cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}

# bench_generated_store KPI TICKETS : $work/events.ndjson (kpi gen, 90 days)
# ingested into $work/db.
bench_generated_store() {
  "$1" gen --tickets "$2" --days 90 -q -o "$work/events.ndjson"
  "$1" ingest --db "$work/db" -q "$work/events.ndjson"
  echo "   $(wc -l < "$work/events.ndjson") events loaded"
}

# bench_serve BASE_URL COMMAND... : starts the server command in the
# background (stderr appended to $work/server.log), sets $server_pid and
# waits up to 10 s for BASE_URL/health; exits 1 with the log if it never
# answers.
bench_serve() {
  local base=$1
  shift
  "$@" 2>> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -ksS "$base/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/server.log" >&2
  echo "$bench_name: the server did not answer $base/health" >&2
  exit 1
}

# bench_stop : SIGTERM to the server; returns its exit status.
bench_stop() {
  local status=0
  kill -TERM "$server_pid"
  wait "$server_pid" || status=$?
  server_pid=""
  return "$status"
}

# cpu_seconds PID : user + system CPU seconds the process has used.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

# now : seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# wrk_summary : wrk --latency output on stdin -> "req/s p50 p99 non-2xx".
wrk_summary() {
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       /Non-2xx/ {bad=$NF} END {printf "%8s req/s  p50 %8s  p99 %8s  non-2xx %s\n", rps, p50, p99, (bad == "" ? 0 : bad)}'
}
