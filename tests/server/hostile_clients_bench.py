#!/usr/bin/env python3
"""Hostile clients against a real `kpi serve`: the figures of
docs/performance.md "Server under hostile clients".

Usage: hostile_clients_bench.py KPI_BINARY STORE_DIR [--old]
STORE_DIR holds events (e.g. `kpi gen --tickets 300000 --seed 42` ingested).
--old: the binary predates the hostile-client flags (runs it without them).
Prints one line per figure. Loopback only; takes about a minute.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

HEAVY = "select count() as n, p90(duration(created -> agent_reply)) as frt from tickets by ticket order by frt desc limit 10"
LIGHT = "select count() as n from tickets"


def q(text):
    from urllib.parse import quote
    return "/v1/query?q=" + quote(text)


def request(port, method, target, headers="", body=b"", timeout=30.0):
    """One request on a fresh connection; returns (status, seconds)."""
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}"
        if body or method in ("POST", "PUT"):
            head += f"Content-Length: {len(body)}\r\n"
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        while s.recv(65536):
            pass
        return status, time.monotonic() - t0
    except OSError:
        return 0, time.monotonic() - t0
    finally:
        s.close()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))] if v else float("nan")


class Server:
    def __init__(self, kpi, store, old, extra=()):
        # Beside the store, not a fixed /tmp name two runs would share; the
        # port is the one the kernel gives (read from the "listening" line).
        tokens = store.rstrip("/") + ".tokens"
        with open(tokens, "w") as f:
            f.write("writer-token-1 write\nheavy-token-1 read\nlight-token-1 read\n")
        args = [kpi, "serve", "--db", store, "--listen", "127.0.0.1:0", "--tokens", tokens,
                "--exec-threads", "1"]
        if not old:
            args += list(extra)
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not found:
            raise SystemExit("server did not start: " + line)
        self.port = int(found.group(1))
        # Warm: the first query loads the store's segments.
        request(self.port, "GET", q(LIGHT), "Authorization: Bearer light-token-1\r\n")

    def stop(self):
        t0 = time.monotonic()
        self.proc.send_signal(2)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return float("inf")
        return time.monotonic() - t0


def unauthenticated_bodies(srv):
    size = 60 << 20
    base = rss_mb(srv.proc.pid)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(srv.proc.pid))
            time.sleep(0.005)

    results = []

    def client():
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(f"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n".encode())
        chunk = b"x" * 65536
        sent = 0
        s.settimeout(30)
        status = 0
        try:
            while sent < size:
                sent += s.send(chunk[: min(len(chunk), size - sent)])
            data = s.recv(65536)
        except OSError:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
        if data.startswith(b"HTTP/"):
            status = int(data.split(b" ", 2)[1])
        results.append((status, sent))
        s.close()

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    done.set()
    statuses = sorted({s for s, _ in results})
    print(f"20 x 60 MB unauthenticated uploads: statuses {statuses}, {elapsed:.2f} s, "
          f"at most {max(b for _, b in results) / 1048576:.1f} MB sent by one client, "
          f"server RSS {base:.0f} -> peak {peak[0]:.0f} MB")


def idle_sockets(srv):
    idle = []
    for i in range(1000):
        s = socket.create_connection(("127.0.0.1", srv.port))
        if i % 2:
            s.sendall(b"GET /v1/query HTTP/1.1\r\nHost: x\r\n")
        idle.append(s)
    time.sleep(0.2)
    lat, statuses = [], set()
    for _ in range(50):
        st, sec = request(srv.port, "GET", q(LIGHT), "Authorization: Bearer light-token-1\r\n", timeout=5)
        statuses.add(st)
        lat.append(sec * 1000)
    print(f"1,000 idle sockets from loopback, then 50 light queries from loopback: statuses {sorted(statuses)}, "
          f"p50 {pct(lat, .5):.1f} ms, p99 {pct(lat, .99):.1f} ms")
    for s in idle:
        s.close()


def framing(srv):
    out = []
    for name, raw in [("Transfer-Encoding: gzip + smuggled GET",
                       b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer writer-token-1\r\n"
                       b"Transfer-Encoding: gzip\r\n\r\nGET /v1/query?q=x HTTP/1.1\r\nHost: x\r\n\r\n"),
                      ("obs-fold", b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n")]:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=3)
        s.sendall(raw)
        data = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        except OSError:
            pass
        s.close()
        responses = [int(p.split(b" ", 2)[0]) for p in data.split(b"HTTP/1.1 ")[1:]]
        out.append(f"{name}: responses {responses}")
    print("; ".join(out))


def heavy_vs_light(srv):
    stop = threading.Event()
    heavy_n = [0]

    def heavy():
        while not stop.is_set():
            st, _ = request(srv.port, "GET", q(HEAVY), "Authorization: Bearer heavy-token-1\r\n", timeout=60)
            heavy_n[0] += st == 200

    lat_alone = []
    for _ in range(30):
        lat_alone.append(request(srv.port, "GET", q(LIGHT), "Authorization: Bearer light-token-1\r\n")[1] * 1000)
    threads = [threading.Thread(target=heavy) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    lat = []
    statuses = set()
    t_end = time.monotonic() + 10
    while time.monotonic() < t_end:
        st, sec = request(srv.port, "GET", q(LIGHT), "Authorization: Bearer light-token-1\r\n", timeout=60)
        statuses.add(st)
        lat.append(sec * 1000)
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    print(f"light query alone: p50 {pct(lat_alone, .5):.1f} ms, p99 {pct(lat_alone, .99):.1f} ms; "
          f"while another token keeps 8 heavy queries in flight ({heavy_n[0]} answered in ~11 s): "
          f"{len(lat)} light queries, statuses {sorted(statuses)}, p50 {pct(lat, .5):.1f} ms, "
          f"p99 {pct(lat, .99):.1f} ms, max {max(lat):.1f} ms")


def slow_upload_shutdown(srv):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer writer-token-1\r\n"
              b"Content-Length: 1000000\r\n\r\n")
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                s.send(b"\n")
            except OSError:
                return
            time.sleep(0.1)

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(0.3)
    took = srv.stop()
    stop.set()
    t.join()
    s.close()
    print(f"SIGINT with a trickling upload in flight: exited after {took:.2f} s")


def main():
    kpi, store = sys.argv[1], sys.argv[2]
    old = "--old" in sys.argv
    print(f"binary {kpi}{' (old flags)' if old else ''}")
    srv = Server(kpi, store, old, ["--drain-timeout-ms", "2000"])
    try:
        unauthenticated_bodies(srv)
        framing(srv)
        idle_sockets(srv)
    finally:
        srv.stop()
    srv = Server(kpi, store, old, ["--drain-timeout-ms", "2000"])
    try:
        heavy_vs_light(srv)
    finally:
        pass
    slow_upload_shutdown(srv)


if __name__ == "__main__":
    main()
