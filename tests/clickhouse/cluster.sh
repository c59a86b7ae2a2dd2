#!/usr/bin/env bash
# Two-shard ClickHouse cluster on loopback for the ClickHouse backend's tests.
#
#   cluster.sh start DIR   starts two clickhouse-server processes, each with its
#                          own config, data folder and free high ports, and a
#                          remote_servers cluster `kpi_test` of two shards (one
#                          replica each) on their tcp ports; waits until both
#                          answer `SELECT 1` over HTTP (60 s at most). The
#                          shards start empty (DIR/shard1, DIR/shard2 are
#                          wiped). Writes
#                          DIR/env (CLICKHOUSE_URL, CLICKHOUSE_URL2,
#                          CLICKHOUSE_CLUSTER, CLICKHOUSE_PIDS) for tests to read.
#   cluster.sh stop DIR    kills the two servers named in DIR/shard*/pid
#                          (only those) and waits for them to exit.
#
# Exit codes: 0 done; 77 clickhouse-server is not installed (tests then skip);
# 1 a server did not start (its log's tail is printed).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
server=${CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}

# A free TCP port on loopback below the kernel's ephemeral range (32768 and
# up: outgoing connections of other processes could take a port between
# this check and the server's bind), not in $taken.
taken=" "
free_port() {
  local p
  while :; do
    p=$(python3 -c 'import random, socket
while True:
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
    case "$taken" in *" $p "*) continue ;; esac
    taken="$taken$p "
    echo "$p"
    return
  done
}

# Runs "${@:2}" in the background, output to $1, detached from every
# descriptor of the caller (ctest waits until its output pipe closes, so a
# server holding it would hang the fixture). $! is its pid.
detached() {
  local log=$1
  shift
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec setsid "$@" </dev/null >"$log" 2>&1
  ) &
}

stop() {
  local pidfile pid
  for pidfile in "$dir"/shard*/pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

write_config() {  # shard_dir http_port tcp_port interserver_port tcp1 tcp2
  cat >"$1/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$1/server.log</log><errorlog>$1/server.err.log</errorlog><console>0</console></logger>
  <http_port>$2</http_port>
  <tcp_port>$3</tcp_port>
  <interserver_http_port>$4</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$1/data/</path>
  <tmp_path>$1/tmp/</tmp_path>
  <user_files_path>$1/user_files/</user_files_path>
  <format_schema_path>$1/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <timezone>UTC</timezone>
  <remote_servers>
    <kpi_test>
      <shard><replica><host>127.0.0.1</host><port>$5</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$6</port></replica></shard>
    </kpi_test>
  </remote_servers>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
</yandex>
XML
}

answers() { curl -sf --max-time 2 "http://127.0.0.1:$1/?query=SELECT%201" 2>/dev/null | grep -q '^1$'; }

case "$cmd" in
  start)
    if [ ! -x "$server" ]; then
      echo "SKIP: $server is not installed (apt-get install clickhouse-server clickhouse-client)" >&2
      exit 77
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    stop
    h1=$(free_port); t1=$(free_port); i1=$(free_port)
    h2=$(free_port); t2=$(free_port); i2=$(free_port)
    for n in 1 2; do
      sd="$dir/shard$n"
      # Every start is a fresh, empty cluster. A previous run's data (a
      # database per case test: many thousands of files) is moved aside and
      # deleted in the background, detached, so the start does not wait.
      if [ -e "$sd" ]; then
        trash="$dir/trash.$n.$$.$RANDOM"
        mv "$sd" "$trash"
        detached /dev/null rm -rf "$trash"
      fi
      mkdir -p "$sd/data" "$sd/tmp" "$sd/user_files" "$sd/format_schemas"
      if [ $n = 1 ]; then write_config "$sd" "$h1" "$t1" "$i1" "$t1" "$t2"; else write_config "$sd" "$h2" "$t2" "$i2" "$t1" "$t2"; fi
      cd "$sd"
      detached "$sd/stdout.log" "$server" --config-file="$sd/config.xml"
      cd - >/dev/null
      echo $! >"$sd/pid"
    done
    for port in "$h1" "$h2"; do
      ok=0
      deadline=$((SECONDS + 60))
      while [ $SECONDS -lt $deadline ]; do
        if answers "$port"; then ok=1; break; fi
        sleep 0.1
      done
      if [ $ok = 0 ]; then
        echo "clickhouse-server on port $port did not answer in 60 s" >&2
        tail -20 "$dir"/shard*/server.err.log "$dir"/shard*/stdout.log >&2 || true
        stop
        exit 1
      fi
    done
    cat >"$dir/env" <<ENV
CLICKHOUSE_URL=http://127.0.0.1:$h1
CLICKHOUSE_URL2=http://127.0.0.1:$h2
CLICKHOUSE_CLUSTER=kpi_test
CLICKHOUSE_PIDS="$(cat "$dir/shard1/pid") $(cat "$dir/shard2/pid")"
ENV
    echo "clickhouse cluster kpi_test: http://127.0.0.1:$h1 and http://127.0.0.1:$h2 ($dir/env)"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop
    rm -f "$dir/env"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
