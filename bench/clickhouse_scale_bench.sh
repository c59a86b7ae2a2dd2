#!/usr/bin/env bash
# The ClickHouse backend on one and on two local shards against the local
# engine, in one run (docs/scale-out.md, "Figures"): ingest time of an NDJSON
# file and each catalog KPI's time (bench/contract_kpis.sh). Wall seconds per step
# (the servers' CPU is not the kpi process's), so run it on a quiet machine.
#
#   bench/clickhouse_scale_bench.sh BUILD_DIR FILE.ndjson [WORK_DIR]
#
# Starts its own two-shard cluster (tests/clickhouse/cluster.sh) in WORK_DIR
# (default /tmp/kpi-ch-bench), database b1 on the first server alone and b2
# sharded over both, a local store in WORK_DIR/local; stops the cluster at the
# end. Prints one line per step: "<step> <seconds>".
set -euo pipefail
build=$1
file=$2
work=${3:-/tmp/kpi-ch-bench}
here=$(cd "$(dirname "$0")" && pwd)
kpi=$build/cli/kpi
# shellcheck source=bench/contract_kpis.sh
source "$here/contract_kpis.sh"
bash "$here/../tests/clickhouse/cluster.sh" start "$work/cluster" >/dev/null
trap 'bash "$here/../tests/clickhouse/cluster.sh" stop "$work/cluster"' EXIT
# shellcheck disable=SC1091
source "$work/cluster/env"
one=(--backend clickhouse --clickhouse-url "$CLICKHOUSE_URL" --database b1)
two=(--backend clickhouse --clickhouse-url "$CLICKHOUSE_URL,$CLICKHOUSE_URL2" --cluster "$CLICKHOUSE_CLUSTER" --database b2)
rm -rf "$work/local"

timed() {  # name command...
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  printf '%s %.2f\n' "$name" "$(echo "$end - $start" | bc)"
}

timed ingest_local "$kpi" ingest -q --db "$work/local" "$file"
timed ingest_ch_1_shard "$kpi" ingest -q "${one[@]}" "$file"
timed ingest_ch_2_shards "$kpi" ingest -q "${two[@]}" "$file"
for name in frt_by_channel on_time_weekly fcr_by_team resolution_by_category_month escalation_by_channel_month \
            csat_by_agent_quarter repeat_within_7d aht_by_agent_day qa_accuracy cost_per_contact; do
  q=${KPI_QUERY[$name]}
  timed "${name}_local" "$kpi" query --db "$work/local" "$q"
  timed "${name}_ch_1_shard" "$kpi" query "${one[@]}" "$q"
  timed "${name}_ch_2_shards" "$kpi" query "${two[@]}" "$q"
done
