#!/usr/bin/python3
"""How long a 12-tile dashboard takes to draw in headless Chromium against a
store (issue 11's target: under 1 s on a 1M-ticket store).

    /usr/bin/python3 bench/dashboard_render.py --kpi build/cli/kpi --db STORE [--runs 5] [--out DIR]

STORE must hold the catalog's definitions (kpi query --db STORE -f
docs/definitions/service-kpis.kpi) and data in December 2025 (kpi gen's
default year); it is opened by `kpi serve`, so pass a copy of a store you
must not write to. Each run loads the page afresh (new browser tab state),
signs in, opens the board and waits until every tile has drawn. Printed per
run: `page` = ms from navigation start to the last tile drawn (page, scripts,
ECharts, the board, 12 queries, 12 charts), `tiles` = ms from the board's
definition arriving to the last tile drawn, and the server's summed engine
time for the 12 statements. Then the medians, and screenshots (the board, and
the board in wall mode) in --out.
--cold skips the warm-up (run 1 then reads segments from disk and decodes
them). Extra `kpi serve` flags after `--` (e.g. -- --threads-per-client 2)."""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "web"))
import kpi_web  # noqa: E402

DEC = "during 2025-12-01 .. 2026-01-01"
Q4 = "during 2025-10-01 .. 2026-01-01"
TILES = [
    {"title": "Tickets per day", "chart": "line", "statement": "select count() as tickets from tickets " + DEC + " by day"},
    {"title": "Tickets by channel", "chart": "bar", "statement": "select count() as tickets from tickets " + DEC + " by channel"},
    {"title": "FRT and FCR, Q4", "chart": "evaluation", "statement": "evaluate frt, fcr from tickets " + Q4 + " by week"},
    {"title": "Escalation per day and channel", "chart": "line",
     "statement": "select rate(has(escalated)) as escalation from tickets " + DEC + " by day, channel"},
    {"title": "Satisfied by channel", "chart": "evaluation", "statement": "evaluate satisfied from tickets " + DEC + " by channel"},
    {"title": "Tickets in December", "chart": "number", "statement": "select count() as tickets, frt from tickets " + DEC},
    {"title": "FRT by team", "chart": "bar", "statement": "select frt, frt_p90 from tickets " + DEC + " by team"},
    {"title": "Response on time by business", "chart": "evaluation",
     "statement": "evaluate response_on_time from tickets " + DEC + " by business_type"},
    {"title": "CSAT per week, Q4", "chart": "line", "statement": "select avg(csat) as csat from tickets " + Q4 + " by week"},
    {"title": "Tickets by category", "chart": "bar", "statement": "select count() as tickets from tickets " + DEC + " by category"},
    {"title": "Escalation against target", "chart": "evaluation",
     "statement": "evaluate escalation from tickets " + DEC + " by channel"},
    {"title": "Frontline scorecard", "chart": "bar",
     "statement": "evaluate scorecard frontline from tickets " + DEC + " by channel"},
]
TOKEN = "bench-admin-token"


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser()
    p.add_argument("--kpi", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default="/tmp/kpi-dashboard-bench")
    p.add_argument("--cold", action="store_true", help="no warm-up: the first run decodes every segment it reads")
    args = p.parse_args(argv)
    kpi_web.skip_unless_browser()
    out = kpi_web.fresh_dir(args.out)
    tokens = os.path.join(out, "tokens.txt")
    with open(tokens, "w") as f:
        f.write(TOKEN + " admin\n")
    server = kpi_web.Server(args.kpi, args.db, tokens, extra)
    driver = kpi_web.browser(1600, 1000)
    pages, tiles, engine = [], [], []
    try:
        status, doc = server.call("PUT", "/v1/dashboards/bench", TOKEN,
                                  json.dumps({"title": "12 tiles, 1M tickets", "columns": 4, "tiles": TILES}))
        assert status == 200, doc
        for t in TILES if not args.cold else []:  # every statement runs (and warms the segment cache) once
            server.query(TOKEN, t["statement"])
        kpi_web.sign_in(driver, server.base, TOKEN)
        for run in range(args.runs):
            driver.get("about:blank")
            driver.get(server.base + "/#/dashboard/bench")
            kpi_web.wait_for(driver, "document.getElementById('tiles') && document.getElementById('tiles').dataset.state",
                             timeout=120, what="every tile")
            done = driver.execute_script("""
                const g = document.getElementById('tiles');
                return {page: +g.dataset.doneAt, tiles: +g.dataset.renderedMs,
                        states: [...document.querySelectorAll('.tile')].map((t) => t.dataset.state),
                        engine: [...document.querySelectorAll('.tile-foot')].map((f) => +(f.textContent.match(/(\\d+) ms/) || [0, 0])[1])};
            """)
            assert done["states"] == ["done"] * len(TILES), done["states"]
            pages.append(done["page"])
            tiles.append(done["tiles"])
            engine.append(sum(done["engine"]))
            print("run %d: page %d ms, tiles %d ms, engine %d ms (sum of 12)" % (run + 1, done["page"], done["tiles"],
                                                                                  engine[-1]))
        driver.save_screenshot(os.path.join(out, "dashboard-12-tiles.png"))
        driver.get(server.base + "/#/wall/bench")
        kpi_web.wait_for(driver, "document.getElementById('tiles') && document.getElementById('tiles').dataset.state",
                         timeout=120, what="the wall")
        driver.save_screenshot(os.path.join(out, "dashboard-12-tiles-wall.png"))
    finally:
        driver.quit()
        server.stop()
    print("median of %d: page %d ms, tiles %d ms, engine %d ms; screenshot in %s"
          % (args.runs, statistics.median(pages), statistics.median(tiles), statistics.median(engine), out))


if __name__ == "__main__":
    main()
