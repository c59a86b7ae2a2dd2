// One answer of POST /v1/query on the page: the chart its shape calls for
// (web/charts.js), the table, warnings, the provenance (as of, definitions,
// result hash) and "Save JSON", which keeps the body exactly as the server
// sent it, so `kpi audit verify --db DIR result.json` can rerun it.
'use strict';

const Results = (() => {
  function el(tag, props, children) {
    const e = Object.assign(document.createElement(tag), props || {});
    if (children) e.append(...children);
    return e;
  }

  // A browser draws a few thousand rows quickly and a million never.
  const MAX_TABLE_ROWS = 2000;

  // The table (its first MAX_TABLE_ROWS rows; Save JSON keeps them all);
  // each cell's exact JSON value is kept in data-value.
  function table(result) {
    const t = el('table', {className: 'result-table'});
    const head = el('tr', {}, result.columns.map((c) => el('th', {textContent: c.name, title: c.type})));
    t.append(el('thead', {}, [head]));
    const body = el('tbody');
    const timeCols = result.columns.map((c, i) =>
      c.type === 'time' ? KpiCharts.timeLabels(result.rows.map((r) => r[i])) : null);
    result.rows.slice(0, MAX_TABLE_ROWS).forEach((row, r) => {
      body.append(el('tr', {}, result.columns.map((c, i) => {
        const v = row[i] === undefined ? null : row[i];
        const td = el('td', {className: 't-' + c.type + (v === null ? ' null' : '')});
        td.textContent = timeCols[i] ? timeCols[i][r] : KpiCharts.formatCell(v, c.type);
        td.dataset.value = JSON.stringify(v);
        if (c.name === 'met' && c.type === 'bool' && v !== null) td.classList.add(v ? 'met' : 'missed');
        return td;
      })));
    });
    t.append(body);
    if (result.rows.length > MAX_TABLE_ROWS) {
      t.append(el('tfoot', {}, [el('tr', {}, [el('td', {colSpan: result.columns.length, className: 'more',
        textContent: `showing ${MAX_TABLE_ROWS} of ${result.rows.length} rows`})])]));
    }
    return t;
  }

  function provenance(doc, text) {
    const p = doc.provenance;
    const box = el('div', {className: 'provenance'});
    if (doc.stats) {
      box.append(el('span', {textContent: `${doc.rows.length} rows · ${doc.stats.rows_read} rows read · ` +
                                           `${Math.round(doc.stats.elapsed_ms * 10) / 10} ms`}));
    }
    if (p) {
      box.append(el('span', {textContent: ' · as of ' + p.as_of}));
      box.append(el('span', {className: 'hash', title: 'result_hash (docs/provenance.md)', textContent: ' · hash ' + p.result_hash}));
      if (p.definitions && p.definitions.length) {
        box.append(el('span', {textContent: ' · uses ' + p.definitions.map((d) => d.kind + ' ' + d.name).join(', ')}));
      }
      const save = el('button', {type: 'button', className: 'link', textContent: 'Save JSON'});
      save.addEventListener('click', () => {
        const a = el('a', {href: URL.createObjectURL(new Blob([text], {type: 'application/json'})),
                           download: 'result-' + p.result_hash.slice(0, 8) + '.json'});
        document.body.append(a);
        a.click();
        a.remove();
      });
      box.append(' ', save);
    }
    return box;
  }

  // Shows {doc, text} in `container`; `kind`: the chart kind ('auto' by
  // default); `exemptions`: windows for shading. Returns the ECharts instance.
  function show(container, answer, options) {
    options = options || {};
    const doc = answer.doc;
    // The previous answer's chart goes with it (ECharts keeps instances until disposed).
    container.querySelectorAll('.chart').forEach((box) => {
      const old = echarts.getInstanceByDom(box);
      if (old) old.dispose();
    });
    container.replaceChildren();
    if (!doc.columns || !doc.columns.length) {
      container.append(el('div', {className: 'message', textContent: doc.message || 'done'}));
      return null;
    }
    if (doc.warnings && doc.warnings.length) {
      container.append(el('ul', {className: 'warnings'}, doc.warnings.map((w) => el('li', {textContent: w}))));
    }
    const kind = options.kind && options.kind !== 'auto' ? options.kind : KpiCharts.chooseKind(doc);
    let chart = null;
    const chartBox = el('div', {className: 'chart'});
    if (kind !== 'table') {
      container.append(chartBox);
      chart = KpiCharts.render(chartBox, doc, kind, {exemptions: options.exemptions});
      if (!chart && kind !== 'number') chartBox.remove();
      // A wider or narrower window: the chart follows.
      if (chart) new ResizeObserver(() => { if (!chart.isDisposed()) chart.resize(); }).observe(chartBox);
    }
    container.append(el('div', {className: 'table-wrap'}, [table(doc)]), provenance(doc, answer.text));
    return chart;
  }

  // An error as a person reads it: the status, the message and, for a
  // statement error, the server's snippet with its caret.
  function error(container, err) {
    container.replaceChildren();
    const box = el('div', {className: 'error-box' + (err.status === 403 ? ' forbidden' : '')});
    box.append(el('strong', {textContent: err.status === 403 ? 'Not allowed' : err.status ? 'Error ' + err.status : 'Error'}),
               el('div', {textContent: describeApiError(err)}));
    if (err.snippet) box.append(el('pre', {textContent: err.snippet}));
    container.append(box);
  }

  return {show, error, table, el};
})();
