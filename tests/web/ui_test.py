#!/usr/bin/python3
"""The web UI in a real browser: headless Debian Chromium through Selenium
against a real `kpi serve` on a generated store with the KPI catalog's
definitions (docs/definitions/service-kpis.kpi).

Checks, in the order a person would go:
  sign-in with a read token (a wrong token is refused on the page);
  a query run from the editor: the table's cells equal POST /v1/query's
  answer, and the chart drawn is the one its shape calls for (lines for a
  time bucket, with its series and axis labels);
  a statement error is marked at its line:column, the caret put there;
  Tab completion from the server (GET /v1/complete) inserts the word;
  a `define` from a read token shows the server's 403 as "Not allowed";
  a dashboard (PUT by an admin over HTTP) opens, every tile draws: canvas
  pixels painted, series counts and axis labels equal the tile's answer,
  exemption windows shaded on the evaluation tile; a tile refreshing every
  second runs again while a tile with refresh "off" does not;
  wall mode hides the page's chrome; the dashboard editor refuses a reader,
  names the bad field of an admin's document, and saves a good one.
Screenshots go to --out (query page, error, dashboard, wall mode).

    /usr/bin/python3 tests/web/ui_test.py --kpi build/cli/kpi --out build/tests/web_ui
Exit 0: passed; 1: failed; 77: skipped (no Chromium / driver / Selenium)."""

import argparse
import json
import os
import sys
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpi_web  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READ, ADMIN = "reader-token-0001", "admin-token-0001"

QUERY = "select count() as tickets, rate(has(escalated)) as escalation\nfrom tickets during 2025-01-06 .. 2025-03-03 by week"
BOARD = {
    "title": "Service desk, first quarter",
    "columns": 3,
    "tiles": [
        {"title": "Tickets by week", "chart": "line", "refresh": "5m",
         "statement": "select count() as tickets from tickets during 2025-01-06 .. 2025-04-07 by week, channel"},
        {"title": "Escalation by channel", "chart": "bar", "refresh": "5m",
         "statement": "select rate(has(escalated)) as escalation from tickets during 2025-01-01 .. 2025-04-01 by channel"},
        {"title": "FRT and FCR against targets", "chart": "evaluation", "refresh": "5m",
         "statement": "evaluate frt, fcr from tickets during 2025-02-03 .. 2025-03-31 by week"},
        {"title": "Tickets", "chart": "number", "refresh": "1s",
         "statement": "select count() as tickets from tickets during 2025-01-01 .. 2025-04-01"},
        {"title": "Satisfaction by channel", "chart": "auto", "width": 2, "refresh": "off",
         "statement": "evaluate satisfied from tickets during 2025-01-01 .. 2025-04-01 by channel"},
    ],
}


def setup(kpi, out):
    work = kpi_web.fresh_dir(os.path.join(out, "work"))
    events = os.path.join(work, "events.ndjson")
    db = os.path.join(work, "store")
    kpi_web.run([kpi, "gen", "--tickets", "3000", "--seed", "42", "--start", "2025-01-01", "--days", "90",
                 "--out", events, "-q"])
    kpi_web.run([kpi, "ingest", "--db", db, events, "-q"])
    kpi_web.run([kpi, "query", "--db", db, "-f", os.path.join(ROOT, "docs/definitions/service-kpis.kpi")])
    tokens = os.path.join(work, "tokens.txt")
    with open(tokens, "w") as f:
        f.write("%s read\n%s admin\n" % (READ, ADMIN))
    return kpi_web.Server(kpi, db, tokens)


def set_editor(driver, text):
    driver.execute_script(
        "const t = document.getElementById('query-input'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input')); t.focus(); t.setSelectionRange(t.value.length, t.value.length);", text)


def run_editor(driver, text):
    set_editor(driver, text)
    driver.execute_script("document.getElementById('result').dataset.state = ''")
    driver.find_element("id", "run").click()
    return kpi_web.wait_for(driver, "document.getElementById('result').dataset.state", what="the answer")


def table_cells(driver, scope="#result"):
    return driver.execute_script("""
        const t = document.querySelector(arguments[0] + ' table.result-table');
        return {head: [...t.querySelectorAll('thead th')].map((th) => th.textContent),
                values: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.dataset.value)),
                text: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent))};
    """, scope)


# Painted pixels of the canvases under `selector`, and the chart's option.
CHART_PROBE = """
    const box = document.querySelector(arguments[0]);
    const canvases = [...box.querySelectorAll('canvas')];
    let painted = 0;
    for (const c of canvases) {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    }
    const chart = echarts.getInstanceByDom(box);
    const o = chart ? chart.getOption() : null;
    return {canvases: canvases.length, painted,
            series: o ? o.series.map((s) => ({name: s.name, type: s.type, n: s.data.length,
                                              areas: s.markArea && s.markArea.data ? s.markArea.data.length : 0})) : [],
            x: o ? o.xAxis.map((a) => a.data) : []};
"""


def check_query_page(driver, server, out):
    state = run_editor(driver, QUERY)
    assert state == "done", state
    answer = server.query(READ, QUERY)
    cells = table_cells(driver)
    assert cells["head"] == [c["name"] for c in answer["columns"]], cells["head"]
    assert len(cells["values"]) == len(answer["rows"]) > 0
    for shown, row in zip(cells["values"], answer["rows"]):
        assert [json.loads(v) for v in shown] == row, (shown, row)
    # Dates shown for midnight buckets; the cell keeps the exact value.
    assert cells["text"][0][0] == answer["rows"][0][0][:10], cells["text"][0]
    probe = driver.execute_script(CHART_PROBE, "#result .chart")
    assert probe["canvases"] >= 1 and probe["painted"] > 1000, probe
    assert [s["name"] for s in probe["series"]] == ["tickets", "escalation"], probe["series"]
    assert probe["x"][0] == [r[0][:10] for r in answer["rows"]], probe["x"]
    prov = driver.find_element("css selector", "#result .provenance").text
    assert answer["provenance"]["result_hash"] in prov, prov
    driver.save_screenshot(os.path.join(out, "query-page.png"))
    print("ok: query page table equals POST /v1/query (%d rows), line chart with %d series"
          % (len(answer["rows"]), len(probe["series"])))


def check_error_at_caret(driver, out):
    text = "select count() as n\nfrom tickets by chanel"
    assert run_editor(driver, text) == "error"
    bubble = driver.find_element("id", "error-bubble")
    assert bubble.is_displayed(), "no error bubble"
    assert bubble.text.startswith("line 2, column 17:") and "channel" in bubble.text, bubble.text
    caret = driver.execute_script("return document.getElementById('query-input').selectionStart")
    assert caret == text.index("chanel"), caret
    mark = driver.execute_script("const m = document.querySelector('.editor .backdrop mark'); return m && m.textContent")
    assert mark == "c", mark
    driver.save_screenshot(os.path.join(out, "query-error.png"))
    # Typing clears the mark.
    driver.find_element("id", "query-input").send_keys(" ")
    assert not bubble.is_displayed()
    # After CJK text and an emoji (two UTF-16 units) the column counts
    # characters, and the caret lands on the word itself.
    wide = "select count() as n\nfrom tickets where channel != \"客服😀\" by chanel"
    assert run_editor(driver, wide) == "error"
    assert bubble.text.startswith("line 2, column 40:"), bubble.text
    caret = driver.execute_script("return document.getElementById('query-input').selectionStart")
    assert caret == wide.index("chanel") + 1, caret  # + 1: the emoji's second UTF-16 unit
    mark = driver.execute_script("const m = document.querySelector('.editor .backdrop mark'); return m && m.textContent")
    assert mark == "c", mark
    print("ok: a bind error is marked at line 2, column 17 and the caret is there (also after CJK and an emoji)")


def check_completion(driver, server, out):
    from selenium.webdriver.common.keys import Keys
    set_editor(driver, "select count() from tickets by chan")
    driver.find_element("id", "query-input").send_keys(Keys.TAB)
    kpi_web.wait_for(driver, "document.getElementById('query-input').value.endsWith('by channel')",
                     what="completion of 'chan'")
    # Several candidates: the list is the server's, in its order.
    before = "select frt"
    status, doc = server.call("GET", "/v1/complete?q=select%20frt", READ)
    assert status == 200 and len(doc["candidates"]) >= 3 and doc["candidates"][:3] == ["frt", "frt_business", "frt_p90"], doc
    set_editor(driver, before)
    driver.find_element("id", "query-input").send_keys(Keys.TAB)
    items = kpi_web.wait_for(driver, "!document.getElementById('completions').hidden && "
                             "[...document.querySelectorAll('#completions li')].map((li) => li.textContent)",
                             what="the completion list")
    assert items == doc["candidates"], items
    driver.save_screenshot(os.path.join(out, "query-completion.png"))
    driver.find_element("id", "query-input").send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    value = driver.execute_script("return document.getElementById('query-input').value")
    assert value == "select frt_business", value
    print("ok: Tab completes from GET /v1/complete (one candidate inserted; %d listed, one picked)" % len(items))


def check_forbidden(driver):
    assert run_editor(driver, "define kpi sneaky = count()") == "error"
    box = driver.find_element("css selector", "#result .error-box.forbidden")
    assert "Not allowed" in box.text and "admin" in box.text, box.text
    print("ok: a read token's define is refused by the server and shown as 'Not allowed'")


def check_dashboard(driver, server, out):
    status, doc = server.call("PUT", "/v1/dashboards/service-desk", ADMIN, json.dumps(BOARD))
    assert status == 200, doc
    status, doc = server.call("PUT", "/v1/dashboards/service-desk", READ, json.dumps(BOARD))
    assert status == 403, doc
    driver.get(server.base + "/#/dashboard/service-desk")
    kpi_web.wait_for(driver, "document.getElementById('tiles') && document.getElementById('tiles').dataset.state === 'done'",
                     what="every tile")
    states = driver.execute_script("return [...document.querySelectorAll('.tile')].map((t) => t.dataset.state)")
    assert states == ["done"] * len(BOARD["tiles"]), states
    answers = [server.query(READ, t["statement"]) for t in BOARD["tiles"]]

    line = driver.execute_script(CHART_PROBE, "#tile-0 .tile-chart")
    channels = sorted({r[1] for r in answers[0]["rows"]})
    assert line["painted"] > 1000, line
    assert sorted(s["name"] for s in line["series"]) == channels, line["series"]
    weeks = sorted({r[0][:10] for r in answers[0]["rows"]})
    assert line["x"][0] == weeks, line["x"]

    bar = driver.execute_script(CHART_PROBE, "#tile-1 .tile-chart")
    assert bar["painted"] > 1000 and [s["type"] for s in bar["series"]] == ["bar"], bar
    assert bar["x"][0] == [r[0] for r in answers[1]["rows"]], bar["x"]

    ev = driver.execute_script(CHART_PROBE, "#tile-2 .tile-chart")
    assert ev["painted"] > 1000, ev
    # frt and fcr: a value series and a target series each, one grid per KPI.
    assert [s["name"] for s in ev["series"]] == ["frt", "frt target", "fcr", "fcr target"], ev["series"]
    eval_weeks = []
    for r in answers[2]["rows"]:
        if r[0][:10] not in eval_weeks:
            eval_weeks.append(r[0][:10])
    assert ev["x"][0] == eval_weeks, ev["x"]
    # The outage of 2025-03-10 (an `exclude` exemption) is shaded.
    assert ev["series"][0]["areas"] == 1, ev["series"]

    number = driver.execute_script(
        "return [...document.querySelectorAll('#tile-3 .kpi-number .value')].map((v) => v.textContent)")
    assert number == [str(answers[3]["rows"][0][0])], number

    auto = driver.execute_script(CHART_PROBE, "#tile-4 .tile-chart")
    assert auto["painted"] > 1000 and [s["type"] for s in auto["series"]] == ["bar", "scatter"], auto
    assert auto["x"][0] == [r[0] for r in answers[4]["rows"]], auto["x"]
    rendered = driver.execute_script("return document.getElementById('tiles').dataset.renderedMs")
    # Refresh periods: the 1 s tile runs again and again, the "off" tile once.
    kpi_web.wait_for(driver, "+document.getElementById('tile-3').dataset.runs >= 3", timeout=20,
                     what="the 1 s tile's third run")
    runs = driver.execute_script("return [...document.querySelectorAll('.tile')].map((t) => +t.dataset.runs)")
    assert runs[4] == 1 and runs[0] == 1, runs
    driver.save_screenshot(os.path.join(out, "dashboard.png"))
    print("ok: dashboard of %d tiles drew (line %d series, bars, evaluation with shading, number) in %s ms; "
          "runs per tile after the 1 s tile's third: %s" % (len(BOARD["tiles"]), len(line["series"]), rendered, runs))

    driver.get(server.base + "/#/wall/service-desk")
    kpi_web.wait_for(driver, "document.getElementById('tiles') && document.getElementById('tiles').dataset.state === 'done'",
                     what="the wall")
    chrome = driver.execute_script("return getComputedStyle(document.getElementById('chrome')).display")
    assert chrome == "none", chrome
    assert driver.execute_script("return document.body.classList.contains('wall')")
    tile_h = driver.execute_script("return document.getElementById('tile-0').getBoundingClientRect().height")
    assert tile_h > 250, tile_h
    wall = driver.execute_script(CHART_PROBE, "#tile-0 .tile-chart")
    assert wall["painted"] > 1000, wall
    driver.save_screenshot(os.path.join(out, "dashboard-wall.png"))
    print("ok: wall mode hides the chrome; tiles %d px high" % tile_h)


def save_dashboard(driver, name, text):
    driver.execute_script("""
        document.getElementById('dashboard-name').value = arguments[0];
        document.getElementById('dashboard-json').value = arguments[1];
        document.getElementById('dashboard-status').textContent = '';
        document.getElementById('dashboard-save').click();""", name, text)
    return kpi_web.wait_for(driver, "document.getElementById('dashboard-status').textContent", what="the save's answer")


def check_dashboard_editor(driver, server, out):
    """The list and its editor: a reader is refused, an admin sees the field
    a bad document names, then saves and finds the board in the list."""
    driver.get(server.base + "/#/dashboards")
    names = kpi_web.wait_for(driver, "[...document.querySelectorAll('#dashboard-list tbody td:first-child')]"
                             ".map((td) => td.textContent).join(',')", what="the list")
    assert names == "service-desk", names
    text = save_dashboard(driver, "readers-board", json.dumps(BOARD))
    assert "may not do this" in text, text
    from selenium.webdriver.common.by import By
    driver.get(server.base + "/#/signin")  # sign in again, as an admin
    kpi_web.wait_for(driver, "document.getElementById('token')", what="sign-in form")
    driver.find_element(By.ID, "token").send_keys(ADMIN)
    driver.find_element(By.ID, "sign-in").click()
    kpi_web.wait_for(driver, "document.getElementById('query-input')", what="the query page")
    driver.get(server.base + "/#/dashboards")
    kpi_web.wait_for(driver, "document.querySelector('#dashboard-list tbody')", what="the list")
    bad = dict(BOARD, tiles=[dict(BOARD["tiles"][0], chart="pie")])
    text = save_dashboard(driver, "wall-2", json.dumps(bad))
    assert text.startswith("field tiles[0].chart:") and "pie" in text, text
    driver.save_screenshot(os.path.join(out, "dashboard-editor-error.png"))
    text = save_dashboard(driver, "wall-2", json.dumps(BOARD))
    assert "dashboard wall-2 defined" in text, text
    names = kpi_web.wait_for(driver, "(() => { const n = [...document.querySelectorAll('#dashboard-list tbody "
                             "td:first-child')].map((td) => td.textContent).join(','); "
                             "return n.includes('wall-2') && n; })()", what="the new board in the list")
    assert names == "service-desk,wall-2", names
    print("ok: the dashboard editor: a reader is refused, a bad chart names tiles[0].chart, an admin saves")


def check_bad_token(driver, server):
    from selenium.webdriver.common.by import By
    driver.get(server.base + "/#/signin")
    kpi_web.wait_for(driver, "document.getElementById('token')", what="sign-in form")
    driver.find_element(By.ID, "token").send_keys("not-a-token-at-all")
    driver.find_element(By.ID, "sign-in").click()
    text = kpi_web.wait_for(driver, "document.getElementById('signin-status').textContent", what="the refusal")
    assert "sign in again" in text, text
    print("ok: an unknown token is refused on the sign-in page")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kpi", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    kpi_web.skip_unless_browser()
    out = kpi_web.fresh_dir(args.out)
    server = setup(args.kpi, out)
    driver = kpi_web.browser()
    failed = 0
    try:
        kpi_web.sign_in(driver, server.base, READ)
        for check in (lambda: check_query_page(driver, server, out), lambda: check_error_at_caret(driver, out),
                      lambda: check_completion(driver, server, out), lambda: check_forbidden(driver),
                      lambda: check_dashboard(driver, server, out), lambda: check_dashboard_editor(driver, server, out),
                      lambda: check_bad_token(driver, server)):
            try:
                check()
            except Exception:
                failed += 1
                traceback.print_exc()
                driver.save_screenshot(os.path.join(out, "failure-%d.png" % failed))
    finally:
        driver.quit()
        server.stop()
    print("screenshots in " + out)
    print("%d passed, %d failed" % (7 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
