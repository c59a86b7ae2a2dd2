#!/usr/bin/env python3
"""Expected values for tests/query/realdata/realdata_queries_test.cc.

Computed from /work/shared/realdata/*/events.ndjson[.gz] with plain Python,
independently of kpistore's reader, store and engine, following the query
language's definitions (query-language.md):

* duplicates count once: identity = (ticket, id) (every line has an id);
* a ticket's `created` is its first `created` event, else its earliest event;
* duration(created -> resolved) = first `resolved` at or after `created`,
  in seconds; p50 / p90 = linear interpolation at q * (n - 1);
* a ticket's dimension = the value carried by its latest event carrying it.
  Latest-value metrics are only emitted for dimensions where no ticket has
  two different values at its latest carrying instant (ties would make
  "latest" depend on tie order, which the contract leaves open).

Run:  python3 tests/query/realdata/expected.py [/work/shared/realdata]
It prints the numbers pasted into the test.
"""
import collections
import datetime
import gzip
import json
import os
import sys
import zoneinfo

ROOT = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/realdata"


def parse_ts(text):
    if isinstance(text, int):
        return text
    dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(dt.timestamp() * 1000)


def load(name):
    path = os.path.join(ROOT, name, "events.ndjson")
    opener = open
    if not os.path.exists(path):
        path += ".gz"
        opener = gzip.open
    seen = set()
    events = []
    with opener(path, "rt", encoding="utf-8") as f:
        for seq, line in enumerate(f):
            d = json.loads(line)
            key = (str(d["ticket"]), d.get("id") or json.dumps(d, sort_keys=True))
            if key in seen:
                continue
            seen.add(key)
            d = {k: v for k, v in d.items() if v is not None}
            d["_ms"] = parse_ts(d["ts"])
            d["_seq"] = seq
            events.append(d)
    return events


def percentile(values, q):
    xs = sorted(values)
    if not xs:
        return None
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def tickets_of(events):
    by = collections.defaultdict(list)
    for e in events:
        by[str(e["ticket"])].append(e)
    for evs in by.values():
        evs.sort(key=lambda e: (e["_ms"], e["_seq"]))
    return by


def created_ms(evs):
    for e in evs:
        if e["event"] == "created":
            return e["_ms"]
    return evs[0]["_ms"]


def first(evs, name, at_or_after=None):
    for e in evs:
        if e["event"] == name and (at_or_after is None or e["_ms"] >= at_or_after):
            return e["_ms"]
    return None


def latest_dim(evs, dim):
    """(value, ambiguous): the value at the latest instant carrying `dim`."""
    carrying = [e for e in evs if dim in e and isinstance(e[dim], str)]
    if not carrying:
        return None, False
    last_ms = carrying[-1]["_ms"]
    values = {e[dim] for e in carrying if e["_ms"] == last_ms}
    return carrying[-1][dim], len(values) > 1


def report(name, extra_dims, month_zone=None):
    events = load(name)
    by = tickets_of(events)
    print(f"== {name}")
    print(f"tickets {len(by)}")
    print(f"events {len(events)}")
    counts = collections.Counter(e["event"] for e in events)
    print("events_by_name " + ", ".join(f'{{"{k}", {v}}}' for k, v in sorted(counts.items())))
    resolved = [t for t, evs in by.items() if first(evs, "resolved") is not None]
    print(f"tickets_with_resolved {len(resolved)}")
    durs = []
    for t, evs in by.items():
        c = created_ms(evs)
        r = first(evs, "resolved", c)
        if r is not None:
            durs.append((r - c) / 1000.0)
    print(f"resolution_count {len(durs)}")
    print(f"resolution_p50 {percentile(durs, 0.5)!r}")
    print(f"resolution_p90 {percentile(durs, 0.9)!r}")
    print(f"resolution_avg {sum(durs) / len(durs)!r}")
    closed = sum(1 for evs in by.values() if first(evs, "closed") is not None)
    print(f"tickets_with_closed {closed}")
    by_year = collections.Counter(
        datetime.datetime.fromtimestamp(created_ms(evs) / 1000, datetime.timezone.utc).year for evs in by.values())
    print("tickets_by_year " + ", ".join(f"{{{k}, {v}}}" for k, v in sorted(by_year.items())))
    for dim in extra_dims:
        values = collections.Counter()
        ambiguous = 0
        for evs in by.values():
            v, amb = latest_dim(evs, dim)
            ambiguous += amb
            values[v] += 1
        if ambiguous:
            print(f"tickets_by_{dim} SKIPPED: {ambiguous} tickets have a tie at their latest value")
            continue
        items = sorted(((k, v) for k, v in values.items() if k is not None))
        print(f"tickets_by_{dim} " + ", ".join(f'{{"{k}", {v}}}' for k, v in items) +
              (f"  (+ {values[None]} without)" if values[None] else ""))
    if month_zone:
        tz = zoneinfo.ZoneInfo(month_zone)
        months = collections.Counter()
        for e in events:
            local = datetime.datetime.fromtimestamp(e["_ms"] / 1000, tz)
            months[f"{local.year:04d}-{local.month:02d}"] += 1
        print(f"events_by_month_{month_zone} " + ", ".join(f'{{"{k}", {v}}}' for k, v in sorted(months.items())))


report("helpdesk", ["team", "product"], month_zone="Europe/Rome")
report("bpi2013", ["impact", "country"], month_zone="Europe/Brussels")
report("servicenow", ["channel", "priority"])
