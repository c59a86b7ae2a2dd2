// Charts of query results with Apache ECharts (third_party/echarts), shared
// by the web UI (web/results.js, dashboards) and `kpi report` (web/report.js),
// so a result draws the same everywhere.
//
// The chart follows the result's shape (KpiCharts.chooseKind):
//   evaluation  the columns of `evaluate` (kpi, value, op, target, met):
//               per KPI its values against its target (a dashed step line
//               over a time axis, a tick over each bar otherwise), points and
//               bars green where met, red where missed; with a time axis,
//               exemption windows are shaded (grey: exclude, amber: relax)
//   line        a time bucket first (by week, by day ...): one line per
//               number column and per value of the other groups
//   bar         one categorical group and number columns: bars
//   number      one row of numbers and no groups: big figures (HTML)
//   table       anything else: no chart
// Several KPIs of an evaluation get a grid each (small multiples), so a
// rate and a duration never share an axis.
// Times are shown as the server wrote them (the query's zone): a category
// axis of the bucket starts, dates only when every value is a midnight.
'use strict';

const KpiCharts = (() => {
  const MET = '#2e9d4b', MISSED = '#d64541', UNJUDGED = '#8a8f98';
  const EXCLUDE_SHADE = 'rgba(120, 120, 120, 0.18)', RELAX_SHADE = 'rgba(240, 170, 40, 0.22)';
  const isNumeric = (c) => c.type === 'number' || c.type === 'duration';
  const isGroup = (c) => c.type === 'string' || c.type === 'bool';

  function index(result, name) { return result.columns.findIndex((c) => c.name === name); }

  function isEvaluation(result) {
    return ['kpi', 'value', 'op', 'target', 'met'].every((n) => index(result, n) >= 0);
  }

  function chooseKind(result) {
    const cols = result.columns || [];
    if (!cols.length || !(result.rows || []).length) return 'table';
    if (isEvaluation(result)) return 'evaluation';
    const numeric = cols.filter(isNumeric).length;
    const times = cols.filter((c) => c.type === 'time').length;
    const groups = cols.filter(isGroup).length;
    if (numeric === 0) return 'table';
    if (cols[0].type === 'time' && times === 1) return 'line';
    if (times === 0 && groups === 1) return 'bar';
    if (times === 0 && groups === 0 && result.rows.length === 1) return 'number';
    return 'table';
  }

  // --- value text -----------------------------------------------------------

  // "45.2s", "3m 20s", "1h 02m", "2d 04h": the CLI's duration display.
  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return String(seconds);
    const sign = seconds < 0 ? '-' : '';
    let s = Math.abs(seconds);
    const pad = (n) => String(Math.floor(n)).padStart(2, '0');
    if (s < 60) return sign + (Math.round(s * 10) / 10) + 's';
    if (s < 3600) return sign + Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    if (s < 86400) return sign + Math.floor(s / 3600) + 'h ' + pad((s % 3600) / 60) + 'm';
    return sign + Math.floor(s / 86400) + 'd ' + pad((s % 86400) / 3600) + 'h';
  }

  function formatNumber(v) {
    if (v === null || v === undefined) return 'NULL';
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toPrecision(4);
    return String(Math.round(v * 10000) / 10000);
  }

  // Midnight bucket starts show as dates ("2025-03-03"), as in the CLI table.
  function timeLabels(values) {
    const midnight = /T00:00:00(\.000)?(Z|[+-]\d\d:\d\d)$/;
    const allMidnight = values.every((v) => v === null || midnight.test(v));
    return values.map((v) => (v === null ? 'NULL' : allMidnight ? v.slice(0, 10) : v));
  }

  function formatCell(value, type) {
    if (value === null || value === undefined) return 'NULL';
    if (type === 'duration') return formatDuration(value);
    if (type === 'number') return formatNumber(value);
    if (type === 'bool') return value ? 'true' : 'false';
    return String(value);
  }

  function axisFormatter(type) {
    return type === 'duration' ? (v) => formatDuration(v) : (v) => formatNumber(v);
  }

  // --- shared option parts ---------------------------------------------------

  function baseOption(opts) {
    const dark = !!opts.dark;
    return {
      animation: false,  // charts are complete as soon as setOption returns (tests, PDF)
      backgroundColor: 'transparent',
      textStyle: {color: dark ? '#e6e8eb' : '#22262b', fontSize: opts.large ? 16 : 12},
      tooltip: {trigger: 'axis', confine: true},
      legend: {type: 'scroll', top: 0, textStyle: {color: dark ? '#e6e8eb' : '#22262b'}},
    };
  }

  function groupKey(row, groupIdx) { return groupIdx.map((i) => String(row[i])).join(' / '); }

  // Two number columns of different scale get an axis each.
  function valueAxes(numCols, opts) {
    const axes = numCols.slice(0, 2).map((c, i) => ({
      type: 'value', name: numCols.length === 2 ? c.name : '', scale: false,
      position: i === 0 ? 'left' : 'right',
      axisLabel: {formatter: axisFormatter(c.type)},
      splitLine: {show: i === 0, lineStyle: {color: opts.dark ? '#333a44' : '#e3e6ea'}},
    }));
    return numCols.length === 2 ? axes : [axes[0]];
  }

  // --- line: a time bucket first --------------------------------------------

  function lineOption(result, opts) {
    const cols = result.columns;
    const numIdx = cols.map((c, i) => (isNumeric(c) ? i : -1)).filter((i) => i >= 0);
    const groupIdx = cols.map((c, i) => (isGroup(c) ? i : -1)).filter((i) => i >= 0);
    const times = [...new Set(result.rows.map((r) => r[0]))];
    const labels = timeLabels(times);
    const pos = new Map(times.map((t, i) => [t, i]));
    const series = new Map();
    for (const row of result.rows) {
      const g = groupKey(row, groupIdx);
      numIdx.forEach((ci, k) => {
        const name = [g, numIdx.length > 1 ? cols[ci].name : ''].filter((x) => x).join(' · ') || cols[ci].name;
        if (!series.has(name)) {
          series.set(name, {name, type: 'line', showSymbol: times.length <= 60, connectNulls: false,
                            yAxisIndex: numIdx.length === 2 ? k : 0, data: new Array(times.length).fill(null)});
        }
        series.get(name).data[pos.get(row[0])] = row[ci];
      });
    }
    return Object.assign(baseOption(opts), {
      grid: {left: 56, right: numIdx.length === 2 ? 56 : 20, top: numIdx.length === 2 ? 56 : 36, bottom: 28,
             containLabel: true},
      xAxis: {type: 'category', data: labels, boundaryGap: false},
      yAxis: valueAxes(numIdx.map((i) => cols[i]), opts),
      series: [...series.values()],
    });
  }

  // --- bar: one categorical group --------------------------------------------

  // A scorecard (`evaluate scorecard`: values, <kpi>_attainment and score)
  // draws its score alone.
  function isScorecard(result) {
    return index(result, 'score') >= 0 && result.columns.some((c) => c.name.endsWith('_attainment'));
  }

  function barOption(result, opts) {
    const cols = result.columns;
    const g = cols.findIndex(isGroup);
    const numIdx = isScorecard(result) ? [index(result, 'score')]
                                       : cols.map((c, i) => (isNumeric(c) ? i : -1)).filter((i) => i >= 0);
    return Object.assign(baseOption(opts), {
      grid: {left: 56, right: numIdx.length === 2 ? 56 : 20, top: numIdx.length === 2 ? 56 : 36, bottom: 28,
             containLabel: true},
      xAxis: {type: 'category', data: result.rows.map((r) => String(r[g]))},
      yAxis: valueAxes(numIdx.map((i) => cols[i]), opts),
      series: numIdx.map((ci, k) => ({name: cols[ci].name, type: 'bar', yAxisIndex: numIdx.length === 2 ? k : 0,
                                      data: result.rows.map((r) => r[ci])})),
    });
  }

  // --- evaluation: values against targets, one grid per KPI -------------------

  // The windows that overlap bucket i ([t_i, t_{i+1})) as index ranges. On
  // the category axis (no boundary gap) bucket i is drawn from label i to
  // label i + 1, so a window over buckets a..b is shaded from a to b + 1.
  function shadedAreas(times, exemptions, used) {
    if (!exemptions || !exemptions.length || !times.length) return [];
    const ms = times.map((t) => Date.parse(t));
    const step = ms.length > 1 ? ms[ms.length - 1] - ms[ms.length - 2] : 86400000;
    const areas = [];
    for (const x of exemptions) {
      if (used && !used.has(x.name)) continue;
      let first = -1, last = -1;
      ms.forEach((start, i) => {
        const end = i + 1 < ms.length ? ms[i + 1] : start + step;
        if (start < x.end_ms && x.start_ms < end) {
          if (first < 0) first = i;
          last = i;
        }
      });
      if (first < 0) continue;
      areas.push([{name: x.name, xAxis: first, itemStyle: {color: x.kind === 'exclude' ? EXCLUDE_SHADE : RELAX_SHADE}},
                  {xAxis: Math.min(last + 1, ms.length - 1)}]);
    }
    return areas;
  }

  function evaluationOption(result, opts) {
    const cols = result.columns;
    const c = (n) => index(result, n);
    const [ki, vi, ti, mi] = [c('kpi'), c('value'), c('target'), c('met')];
    const judged = new Set(['kpi', 'value', 'op', 'target', 'met', 'attainment', 'target_from']);
    const groupCols = cols.map((col, i) => ({col, i})).filter(({col}) => !judged.has(col.name));
    const timeCol = groupCols.find(({col}) => col.type === 'time');
    const otherIdx = groupCols.filter(({col}) => col.type !== 'time').map(({i}) => i);
    const kpis = [...new Set(result.rows.map((r) => r[ki]))].slice(0, 6);
    const xs = timeCol ? [...new Set(result.rows.map((r) => r[timeCol.i]))]
                       : [...new Set(result.rows.map((r) => groupKey(r, otherIdx) || 'all'))];
    const labels = timeCol ? timeLabels(xs) : xs;
    const pos = new Map(xs.map((x, i) => [x, i]));
    const xOf = (row) => (timeCol ? row[timeCol.i] : groupKey(row, otherIdx) || 'all');
    const used = result.provenance
      ? new Set((result.provenance.definitions || []).filter((d) => d.kind === 'exemption').map((d) => d.name))
      : null;
    const areas = timeCol ? shadedAreas(xs, opts.exemptions, used) : [];
    // ECharts places grids in pixels: split the element's height per KPI.
    const n = kpis.length, slot = Math.max(80, (opts.height || 300) / n), top = 26, bottom = 26;
    const option = Object.assign(baseOption(opts), {grid: [], xAxis: [], yAxis: [], series: [], title: []});
    option.legend.show = false;
    kpis.forEach((kpi, k) => {
      option.grid.push({left: 64, right: 16, top: k * slot + top, height: slot - top - bottom});
      option.title.push({text: kpi, top: k * slot + 2, left: 8,
                         textStyle: {fontSize: opts.large ? 16 : 12, color: opts.dark ? '#e6e8eb' : '#22262b'}});
      const rows = result.rows.filter((r) => r[ki] === kpi);
      const lines = new Map();  // other group -> {values, targets, met}
      for (const r of rows) {
        const g = timeCol ? groupKey(r, otherIdx) : '';
        if (!lines.has(g)) lines.set(g, {values: new Array(xs.length).fill(null), targets: new Array(xs.length).fill(null)});
        const p = pos.get(xOf(r));
        lines.get(g).values[p] = {value: r[vi], itemStyle: {color: r[mi] === true ? MET : r[mi] === false ? MISSED : UNJUDGED}};
        lines.get(g).targets[p] = r[ti];
      }
      const type = cols[vi].type;
      option.xAxis.push({type: 'category', data: labels, gridIndex: k, boundaryGap: !timeCol,
                         axisLabel: {show: k === n - 1 || !timeCol}});
      option.yAxis.push({type: 'value', gridIndex: k, axisLabel: {formatter: axisFormatter(type)},
                         splitLine: {lineStyle: {color: opts.dark ? '#333a44' : '#e3e6ea'}}});
      let first = true;
      for (const [g, line] of lines) {
        const name = (g ? g + ' · ' : '') + kpi;
        option.series.push({
          name, type: timeCol ? 'line' : 'bar', xAxisIndex: k, yAxisIndex: k, data: line.values,
          symbolSize: 8, lineStyle: {color: UNJUDGED}, itemStyle: {color: UNJUDGED},
          markArea: first && areas.length ? {silent: true, data: areas, label: {show: true, position: 'insideTop', fontSize: 10}} : undefined,
        });
        option.series.push({
          name: name + ' target', type: timeCol ? 'line' : 'scatter', xAxisIndex: k, yAxisIndex: k,
          data: line.targets, step: timeCol ? 'middle' : undefined, showSymbol: !timeCol,
          symbol: timeCol ? 'none' : 'rect', symbolSize: timeCol ? 0 : [36, 3],
          lineStyle: {type: 'dashed', color: opts.dark ? '#f0f0f0' : '#22262b', width: 1.5},
          itemStyle: {color: opts.dark ? '#f0f0f0' : '#22262b'}, z: 5,
        });
        first = false;
      }
    });
    return option;
  }

  // --- number: big figures (HTML, no canvas) ----------------------------------

  function renderNumbers(el, result) {
    el.classList.add('kpi-numbers');
    el.replaceChildren(...result.columns.map((col, i) => {
      const box = document.createElement('div');
      box.className = 'kpi-number';
      const v = document.createElement('div');
      v.className = 'value';
      v.textContent = formatCell(result.rows[0][i], col.type);
      const label = document.createElement('div');
      label.className = 'label';
      label.textContent = col.name;
      box.append(v, label);
      return box;
    }));
    return null;
  }

  // Draws `result` into `el` as `kind` ('auto': chooseKind). Returns the
  // ECharts instance (null for number and table). opts: {exemptions, dark, large}.
  function render(el, result, kind, opts) {
    opts = opts || {};
    if (!kind || kind === 'auto') kind = chooseKind(result);
    const old = window.echarts && echarts.getInstanceByDom(el);
    if (old) old.dispose();
    el.classList.remove('kpi-numbers');
    el.dataset.kind = kind;
    if (kind === 'table' || !(result.rows || []).length) {
      el.replaceChildren();
      return null;
    }
    if (kind === 'number') return renderNumbers(el, result);
    let option;
    if (kind === 'evaluation' && isEvaluation(result))
      option = evaluationOption(result, Object.assign({height: el.clientHeight}, opts));
    else if (kind === 'line' && result.columns[0].type === 'time') option = lineOption(result, opts);
    else if (kind === 'bar' && result.columns.some(isGroup)) option = barOption(result, opts);
    else if (kind === 'line' || kind === 'bar' || kind === 'evaluation') {
      // The tile asked for a kind its result does not have: say so, draw nothing wrong.
      el.replaceChildren(Object.assign(document.createElement('div'),
        {className: 'chart-note', textContent: `this result has no ${kind} shape (chart: auto draws ${chooseKind(result)})`}));
      return null;
    }
    const chart = echarts.init(el, opts.dark ? 'dark' : null, {renderer: 'canvas'});
    chart.setOption(option);
    return chart;
  }

  return {chooseKind, render, formatCell, formatDuration, formatNumber, timeLabels, isEvaluation};
})();
