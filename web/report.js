// Draws the charts of a `kpi report` page with the UI's chart code
// (web/charts.js): every <div class="chart" data-result="ID" data-kind="K">
// gets the result embedded as <script type="application/json" id="ID">,
// shaded with the exemption windows of <script id="exemptions">; and every
// "Save JSON" button saves its embedded result as a file for
// `kpi audit verify`. Runs at load, with animations off, so a print to PDF
// sees the charts, and again before printing, at the printed width.
'use strict';

(() => {
  const text = (id) => document.getElementById(id).textContent;
  const exemptions = document.getElementById('exemptions') ? JSON.parse(text('exemptions')) : [];
  const charts = [];
  const draw = () => {
    charts.splice(0).forEach((c) => c.dispose());
    document.querySelectorAll('div.chart[data-result]').forEach((box) => {
      const chart = KpiCharts.render(box, JSON.parse(text(box.dataset.result)), box.dataset.kind || 'auto', {exemptions});
      if (chart) charts.push(chart);
    });
  };
  draw();
  // The printed page is narrower than the window: draw again at its width.
  window.addEventListener('beforeprint', draw);
  window.matchMedia('print').addEventListener('change', (e) => { if (e.matches) draw(); });
  document.querySelectorAll('button.save-result').forEach((button) => {
    button.addEventListener('click', () => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text(button.dataset.result) + '\n'], {type: 'application/json'}));
      a.download = button.dataset.result + '.json';
      document.body.append(a);
      a.click();
      a.remove();
    });
  });
  document.body.dataset.chartsDrawn = String(charts.length);
})();
