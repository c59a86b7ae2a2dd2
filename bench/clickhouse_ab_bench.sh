#!/usr/bin/env bash
# Two builds of kpi against one two-shard ClickHouse cluster, in one run
# (docs/scale-out.md, "Figures"): the events of FILE are ingested once (with
# build A), then every catalog KPI (bench/contract_kpis.sh) runs with A and
# B in turn, ROUNDS times (default 3). Per statement it records the CPU
# seconds both clickhouse-server processes spent (utime + stime from
# /proc/PID/stat: the translation's cost, whatever else the machine runs)
# and the wall seconds, and checks that A and B print the same answer
# (numbers within 1e-9 relative: ClickHouse sums in no fixed order).
#
#   bench/clickhouse_ab_bench.sh KPI_A KPI_B FILE.ndjson [WORK_DIR] [ROUNDS]
#
# Starts its own cluster (tests/clickhouse/cluster.sh) in WORK_DIR (default
# /tmp/kpi-ch-ab) and stops it at the end. Prints one line per KPI:
# "<name> cpu_a <s> cpu_b <s> b/a <ratio> wall_a <s> wall_b <s>" (medians).
set -euo pipefail
kpi_a=$1
kpi_b=$2
file=$3
work=${4:-/tmp/kpi-ch-ab}
rounds=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/contract_kpis.sh
source "$here/contract_kpis.sh"
bash "$here/../tests/clickhouse/cluster.sh" start "$work/cluster" >/dev/null
trap 'bash "$here/../tests/clickhouse/cluster.sh" stop "$work/cluster"' EXIT
# shellcheck disable=SC1091
source "$work/cluster/env"
flags=(--backend clickhouse --clickhouse-url "$CLICKHOUSE_URL,$CLICKHOUSE_URL2" --cluster "$CLICKHOUSE_CLUSTER"
       --database ab)
"$kpi_a" ingest -q "${flags[@]}" "$file" >/dev/null

tick=$(getconf CLK_TCK)
server_cpu() {  # CPU seconds of both servers so far
  local t=0 pid f
  for pid in $CLICKHOUSE_PIDS; do
    read -ra f <"/proc/$pid/stat"
    t=$((t + f[13] + f[14]))
  done
  echo "scale=2; $t / $tick" | bc
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# Same CSV cells, numbers within 1e-9 relative (ClickHouse sums in no fixed order).
same() {
  python3 - "$1" "$2" <<'PY'
import sys
a, b = (open(f).read().splitlines() for f in sys.argv[1:3])
def close(x, y):
    try:
        x, y = float(x), float(y)
    except ValueError:
        return x == y
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
ok = len(a) == len(b) and all(
    len(r.split(",")) == len(s.split(",")) and all(close(x, y) for x, y in zip(r.split(","), s.split(",")))
    for r, s in zip(a, b))
sys.exit(0 if ok else 1)
PY
}

for name in frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month escalation_by_channel_month \
            csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy cost_per_contact; do
  q=${KPI_QUERY[$name]}
  : >"$work/a.cpu"; : >"$work/b.cpu"; : >"$work/a.wall"; : >"$work/b.wall"
  for _ in $(seq "$rounds"); do
    for side in a b; do
      bin=$kpi_a
      [ "$side" = b ] && bin=$kpi_b
      c0=$(server_cpu)
      w0=$(date +%s.%N)
      "$bin" query --format csv "${flags[@]}" "$q" >"$work/$side.out"
      w1=$(date +%s.%N)
      c1=$(server_cpu)
      echo "$c1 - $c0" | bc >>"$work/$side.cpu"
      echo "$w1 - $w0" | bc >>"$work/$side.wall"
    done
    same "$work/a.out" "$work/b.out" || { echo "$name: A and B answer differently" >&2; exit 1; }
  done
  ca=$(median <"$work/a.cpu"); cb=$(median <"$work/b.cpu")
  printf '%s cpu_a %s cpu_b %s b/a %.2f wall_a %.2f wall_b %.2f\n' "$name" "$ca" "$cb" \
    "$(echo "scale=4; $cb / $ca" | bc)" "$(median <"$work/a.wall")" "$(median <"$work/b.wall")"
done
