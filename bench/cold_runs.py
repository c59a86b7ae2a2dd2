#!/usr/bin/env python3
"""Cold vs warm `kpi query`, medians of several runs, binaries interleaved.

For each query and each binary (label=path), RUNS rounds of:
  cold:  one new `kpi query` process running the statement once; its wall
         time (monotonic clock around posix_spawn/wait) and CPU time (user +
         sys from wait4's rusage, microseconds) and peak RSS (--fork: started
         by fork + execve instead, whose child also pays for unmapping its
         copy of this Python process: the figures before 2026-12-07 22:40);
  warm:  (once per binary and query) one process running the statement
         WARM times, statement times from --timer; warm = the median of all
         but the first (the segments are cached decoded, and derived
         per-ticket columns are memoised: docs/storage-format.md);
  cached: the same with KPI_SEGMENT_MEMO=off (query/execution/ticket_memo.h):
         the repeats find the columns decoded but keep no memo, so each
         derives its per-ticket values again (what a statement costs in a
         process whose caches hold the data but not this statement's memo).
Binaries alternate within a round, so before/after see the same minute.
The OS page cache is left as it is (warm after the first round), unless
--drop-caches (root: sync + echo 3 > /proc/sys/vm/drop_caches before every
cold process; affects everything else on the machine).

  bench/cold_runs.py --db STORE [--runs 7] [--warm 6] [--drop-caches]
      [--clear-memo] [--fork] [--query NAME ...] label=path/to/kpi [label=path ...]

A binary may be given with environment settings for its processes:
label=VAR=VALUE[,VAR=VALUE...]:path (e.g. before=KPI_MEMO_FILES=off:kpi, the
same build not reading or writing derived-value files). --clear-memo deletes
STORE/memo (docs/storage-format.md, "Derived-value files") before each query,
so that the first cold process of each binary derives and writes them; its
CPU is printed apart ("1st cpu") and counts in the medians like the others.

Queries are bench/contract_kpis.sh's plus count_tickets. Prints one line per
query and binary: medians (and min..max) of cold wall and CPU, peak RSS, warm
median (wall and CPU), cold/warm (wall, CPU), the cached CPU and cold/cached
CPU; then the load average before and after.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def contract_queries():
    out = subprocess.run(
        ["bash", "-c", f'source "{HERE}/contract_kpis.sh"; for k in "${{!KPI_QUERY[@]}}"; do '
         'printf "%s\\t%s\\n" "$k" "${KPI_QUERY[$k]}"; done'],
        check=True, capture_output=True, text=True).stdout
    queries = dict(line.split("\t", 1) for line in out.splitlines() if line)
    queries["count_tickets"] = "select count() from tickets"
    return queries


ORDER = ["count_tickets", "frt_by_channel", "on_time_weekly", "fcr_by_team", "resolution_by_category_month",
         "escalation_by_channel_month", "csat_by_agent_quarter", "repeat_within_7d", "aht_by_agent_day",
         "qa_accuracy", "cost_per_contact"]


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def parse_binary(spec):
    """label=[VAR=VALUE,...:]path -> (label, path, env)."""
    label, rest = spec.split("=", 1)
    env = dict(os.environ)
    if ":" in rest and "=" in rest.split(":", 1)[0]:
        settings, rest = rest.split(":", 1)
        for kv in settings.split(","):
            k, v = kv.split("=", 1)
            env[k] = v
    return label, rest, env


FORK = False  # --fork: os.fork + execve, as before 2026-12-07 22:40 (see main's help)


def one_process(kpi, db, statement, env=None):
    """(wall ms, cpu ms, peak MB) of one new process answering `statement`."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    argv = [kpi, "query", "--db", db, "--format", "csv", statement]
    start = time.monotonic()
    if FORK:
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.execve(kpi, argv, env or dict(os.environ))
    else:
        pid = os.posix_spawn(kpi, argv, env or dict(os.environ), file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    wall = (time.monotonic() - start) * 1000
    os.close(devnull)
    if status != 0:
        sys.exit(f"{kpi} failed on {statement!r} (status {status})")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024


def warm_times(kpi, db, statement, count, memo=True, base_env=None):
    script = "".join(statement + ";\n" for _ in range(count))
    env = dict(base_env or os.environ)
    if not memo:
        env["KPI_SEGMENT_MEMO"] = "off"
    res = subprocess.run([kpi, "query", "--db", db, "--format", "csv", "--timer", "-f", "/dev/stdin"],
                         input=script, capture_output=True, text=True, check=True, env=env)
    walls, cpus = [], []
    for m in re.finditer(r"^time: ([0-9.]+) ms \(engine [0-9.]+ ms, cpu ([0-9.]+) ms\)", res.stderr, re.M):
        walls.append(float(m.group(1)))
        cpus.append(float(m.group(2)))
    return walls, cpus


def spread(values):
    return f"{statistics.median(values):7.1f} ({min(values):.0f}..{max(values):.0f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, action="append",
                    help="store; give one per binary (same order) or one for all")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--warm", type=int, default=6)
    ap.add_argument("--drop-caches", action="store_true")
    ap.add_argument("--query", action="append")
    ap.add_argument("--clear-memo", action="store_true")
    ap.add_argument("--fork", action="store_true",
                    help="start cold processes with fork + execve (the figures before 2026-12-07 22:40): the "
                         "child's CPU then includes unmapping its copy of this Python process at the exec "
                         "(~1-2 ms on a quiet machine, ~10 ms at load 7), which is the harness's, not kpi's")
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    global FORK
    FORK = args.fork
    specs = [parse_binary(b) for b in args.binaries]
    bins = [(label, path) for label, path, _ in specs]
    envs = {label: env for label, _, env in specs}
    dbs = args.db if len(args.db) == len(bins) else [args.db[0]] * len(bins)
    queries = contract_queries()
    names = args.query or ORDER
    print(f"machine: {os.cpu_count()} cores, {time.strftime('%F %H:%M', time.gmtime())} UTC, "
          f"load {' '.join(open('/proc/loadavg').read().split()[:3])}, "
          f"{'page cache dropped before each cold run' if args.drop_caches else 'page cache warm'}, "
          f"{args.runs} runs")
    print(f"{'query':30} {'binary':8} {'cold wall ms':>20} {'cold cpu ms':>20} {'peak MB':>8} "
          f"{'warm ms':>8} {'warm cpu':>8} {'cold/warm':>9} {'cpu c/w':>8} {'cached cpu':>10} {'cpu c/cached':>12}"
          f" {'1st cpu':>8}")
    for name in names:
        q = queries[name]
        if args.clear_memo:
            for db in set(dbs):
                shutil.rmtree(os.path.join(db, "memo"), ignore_errors=True)
        cold = {label: [] for label, _ in bins}
        for _ in range(args.runs):
            for (label, kpi), db in zip(bins, dbs):
                if args.drop_caches:
                    drop_caches()
                cold[label].append(one_process(kpi, db, q, envs[label]))
        for (label, kpi), db in zip(bins, dbs):
            walls, cpus = warm_times(kpi, db, q, args.warm, base_env=envs[label])
            warm, warm_cpu = statistics.median(walls[1:]), statistics.median(cpus[1:])
            cached_cpu = statistics.median(warm_times(kpi, db, q, args.warm, memo=False, base_env=envs[label])[1][1:])
            w = [c[0] for c in cold[label]]
            c = [c[1] for c in cold[label]]
            m = statistics.median(c[2] for c in cold[label])
            print(f"{name:30} {label:8} {spread(w):>20} {spread(c):>20} {m:8.0f} {warm:8.2f} {warm_cpu:8.2f} "
                  f"{statistics.median(w) / warm:8.1f}x {statistics.median(c) / max(warm_cpu, 0.01):7.1f}x "
                  f"{cached_cpu:10.2f} {statistics.median(c) / max(cached_cpu, 0.01):11.1f}x {c[0]:8.1f}",
                  flush=True)
    print(f"load average after: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
