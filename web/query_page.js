// The query page (#/query): the editor, Run, and the answer as chart and
// table (web/results.js). A statement error marks its line and column in
// the editor; a refusal (403: a read token running `define`) is shown as
// such, the server having refused it.
'use strict';

const QueryPage = (() => {
  const EXAMPLE = 'select count() as tickets, rate(has(escalated)) as escalation\nfrom tickets by week';
  let exemptions = null;  // fetched once per page view, for shading

  function render(main) {
    const el = Results.el;
    const host = el('div', {id: 'editor'});
    const run = el('button', {type: 'button', id: 'run', className: 'primary', textContent: 'Run'});
    const hint = el('span', {className: 'hint', textContent: 'Ctrl+Enter runs · Tab or Ctrl+Space completes'});
    const kind = el('select', {id: 'chart-kind', title: 'chart'},
      ['auto', 'table', 'line', 'bar', 'evaluation', 'number'].map((k) => el('option', {value: k, textContent: k})));
    const out = el('section', {id: 'result'});
    main.replaceChildren(el('div', {className: 'query-page'}, [
      host, el('div', {className: 'toolbar'}, [run, el('label', {textContent: 'chart '}, [kind]), hint]), out]));
    const editor = new QueryEditor(host, {onRun: () => go()});
    editor.value = sessionStorage.getItem('kpi-last-query') || EXAMPLE;
    editor.focus();
    let answer = null;

    async function go() {
      const text = editor.value;
      if (!text.trim()) return;
      sessionStorage.setItem('kpi-last-query', text);
      run.disabled = true;
      out.classList.add('busy');
      try {
        answer = await Api.query(text);
        if (exemptions === null && KpiCharts.isEvaluation(answer.doc)) exemptions = await Api.exemptions().catch(() => []);
        Results.show(out, answer, {kind: kind.value, exemptions: exemptions || []});
        out.dataset.state = 'done';
      } catch (err) {
        answer = null;
        Results.error(out, err);
        if (err.status === 400) editor.showError(err);
        out.dataset.state = 'error';
      } finally {
        run.disabled = false;
        out.classList.remove('busy');
      }
    }
    run.addEventListener('click', go);
    kind.addEventListener('change', () => {
      if (answer) Results.show(out, answer, {kind: kind.value, exemptions: exemptions || []});
    });
  }

  return {render};
})();
