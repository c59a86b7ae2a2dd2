#!/usr/bin/env bash
# Small HTTP uploads vs `kpi ingest` (issue 9: 1,000-event uploads from 8
# concurrent clients should reach >= 50 % of the CLI's rate):
#   bench/small_uploads.sh [build-dir ...]        (default: build)
# With several build dirs (e.g. before and after a change) the runs
# alternate between them, ROUNDS times, so that they share the machine's
# load; compare the ratios and CPU seconds, not absolute rates.
# Knobs (environment): EVENTS=300000 (first lines of `kpi gen --tickets
#   50001 --seed 7`), CHUNK=1000 (events per POST), PARALLEL=8 (uploads in
#   flight), ROUNDS=1, PORT=7074, RESEND=20 (files sent again at the end:
#   every event must come back a duplicate).
# Per run it prints: the CLI's rate and CPU seconds (fresh store, synced like
# the server), the upload rate and the server's CPU seconds during the
# uploads (utime + stime from /proc), and checks that both stores answer a
# few KPIs identically (exit 1 when not).
set -euo pipefail
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(build)
events="${EVENTS:-300000}"
chunk="${CHUNK:-1000}"
parallel="${PARALLEL:-8}"
rounds="${ROUNDS:-1}"
port="${PORT:-7074}"
resend="${RESEND:-20}"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib/server_bench.sh"
bench_require node curl
for b in "${builds[@]}"; do bench_require_kpi "$b/cli/kpi"; done
bench_workdir kpi-small-uploads

kpi0="${builds[0]}/cli/kpi"
"$kpi0" gen --tickets 50001 --seed 7 -q -o "$work/all.ndjson"
head -n "$events" "$work/all.ndjson" > "$work/events.ndjson"
rm "$work/all.ndjson"
n=$(wc -l < "$work/events.ndjson")
mkdir "$work/parts" "$work/resend"
split -l "$chunk" -d -a 5 "$work/events.ndjson" "$work/parts/p"
for f in $(ls "$work/parts" | head -n "$resend"); do cp "$work/parts/$f" "$work/resend/$f"; done
echo "data: $n events in $(ls "$work/parts" | wc -l) uploads of $chunk, $parallel in flight; load $(cut -d' ' -f1-3 /proc/loadavg)"

QUERIES=(
  'select count() as n from events'
  'select count() as n from tickets'
  'select count() as n from events by event'
  'select count() as tickets, p50(duration(created -> agent_reply)) as frt_p50, p90(duration(created -> agent_reply)) as frt_p90 from tickets by channel'
  'select rate(count_of(agent_reply before resolved) = 1 and not has(reopened)) as fcr from tickets where has(resolved) by team'
  'select rate(has(escalated)) as escalation from tickets by channel, month'
  'select avg(csat) as csat from tickets where has(rated) by agent_of(resolved)'
)
answers() {  # kpi db -> every query's CSV, one after another
  for q in "${QUERIES[@]}"; do "$1" query --db "$2" --format csv "$q"; done
}

status=0
for round in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    kpi="$b/cli/kpi"
    rm -rf "$work/cli-db" "$work/http-db"
    # CLI: same events, fresh store.
    /usr/bin/time -f "%e %U %S" -o "$work/cli.time" "$kpi" ingest -q --db "$work/cli-db" "$work/events.ndjson" >/dev/null
    read -r cli_s cli_u cli_sys < "$work/cli.time"
    cli_rate=$(awk -v s="$cli_s" -v n="$n" 'BEGIN { printf "%.0f", n / s }')
    cli_cpu=$(awk -v u="$cli_u" -v s="$cli_sys" 'BEGIN { printf "%.2f", u + s }')

    bench_serve "http://127.0.0.1:$port" "$kpi" serve --create --db "$work/http-db" --listen "127.0.0.1:$port"
    cpu0=$(cpu_seconds "$server_pid")
    up=$(node "$here/small_uploads_client.mjs" "$port" "$work/parts" "$parallel")
    cpu1=$(cpu_seconds "$server_pid")
    again=$(node "$here/small_uploads_client.mjs" "$port" "$work/resend" "$parallel")
    bench_stop || true

    read -r secs accepted < <(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.seconds, r.accepted)' "$up")
    resent_accepted=$(node -e 'console.log(JSON.parse(process.argv[1]).accepted)' "$again")
    rate=$(awk -v s="$secs" -v n="$n" 'BEGIN { printf "%.0f", n / s }')
    server_cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
    check="same answers"
    if ! cmp -s <(answers "$kpi" "$work/cli-db") <(answers "$kpi" "$work/http-db"); then
      check="ANSWERS DIFFER"; status=1
      diff <(answers "$kpi" "$work/cli-db") <(answers "$kpi" "$work/http-db") | head -20 >&2
    fi
    if [ "$resent_accepted" != 0 ]; then check="$check, RESENT UPLOADS ACCEPTED $resent_accepted"; status=1; fi
    if [ "$accepted" != "$n" ]; then check="$check, ACCEPTED $accepted OF $n"; status=1; fi
    awk -v b="$b" -v r="$round" -v rate="$rate" -v cli="$cli_rate" -v scpu="$server_cpu" -v ccpu="$cli_cpu" -v c="$check" \
      'BEGIN { printf "%s round %d: uploads %d events/s = %.0f%% of cli %d events/s; CPU s: server %.2f, cli %.2f; %s\n",
               b, r, rate, 100 * rate / cli, cli, scpu, ccpu, c }'
  done
done
exit "$status"
