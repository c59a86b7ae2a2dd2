#!/usr/bin/env bash
# Checks the fixture cluster of tests/clickhouse/cluster.sh: both servers
# answer over HTTP and each sees the cluster as two shards.
# Usage: cluster_answers.sh DIR (the folder given to `cluster.sh start`).
# Exit 0 ok, 77 skipped (clickhouse-server not installed), 1 wrong.
set -euo pipefail
dir=$1
if [ ! -f "$dir/env" ]; then
  if [ ! -x /usr/sbin/clickhouse-server ]; then
    echo "SKIP: clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client)"; exit 77
  fi
  echo "no cluster running ($dir/env missing): did clickhouse_cluster_start fail?" >&2; exit 1
fi
# shellcheck disable=SC1091
source "$dir/env"
for url in "$CLICKHOUSE_URL" "$CLICKHOUSE_URL2"; do
  shards=$(curl -sS --max-time 10 "$url/" --data-binary \
    "SELECT count() FROM system.clusters WHERE cluster = '$CLICKHOUSE_CLUSTER'")
  [ "$shards" = 2 ] || { echo "$url: cluster $CLICKHOUSE_CLUSTER has '$shards' shards, expected 2" >&2; exit 1; }
done
echo "ok: $CLICKHOUSE_URL and $CLICKHOUSE_URL2 each see $CLICKHOUSE_CLUSTER as two shards"
