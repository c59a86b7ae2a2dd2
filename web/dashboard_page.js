// Dashboards: the list (#/dashboards) with a JSON editor for defining one
// (PUT /v1/dashboards/NAME; a 400 names the offending field), a board
// (#/dashboard/NAME) whose tiles run their statements and refresh on their
// own periods, and wall mode (#/wall/NAME): no chrome, dark, large tiles
// filling the screen, for a screen on the wall. Esc leaves wall mode.
// A tile never runs more than one statement at a time; its next refresh is
// scheduled when the last one finished. Every tile shows its own error (a
// 403 says the token may not run it) without stopping the others.
'use strict';

const DashboardPage = (() => {
  const el = (...a) => Results.el(...a);
  let timers = [];
  let charts = [];
  let observers = [];
  let generation = 0;  // bumped when the page is left: late answers are dropped

  const EXAMPLE = JSON.stringify({
    title: 'Service desk', columns: 3,
    tiles: [
      {title: 'Tickets by week', statement: 'select count() as tickets from tickets by week', chart: 'line', refresh: '60s'},
      {title: 'Escalation by channel', statement: 'select rate(has(escalated)) as escalation from tickets by channel', chart: 'bar'},
    ],
  }, null, 2);

  function stop() {
    generation++;
    timers.forEach(clearTimeout);
    timers = [];
    charts.forEach((c) => c.dispose());
    charts = [];
    observers.forEach((o) => o.disconnect());
    observers = [];
    document.body.classList.remove('wall');
    document.removeEventListener('keydown', onWallKey);
  }

  let wallName = '';
  function onWallKey(e) { if (e.key === 'Escape') location.hash = '#/dashboard/' + encodeURIComponent(wallName); }

  // --- the list and the editor ------------------------------------------------

  async function renderList(main, editName) {
    stop();
    const list = el('section', {id: 'dashboard-list'});
    const name = el('input', {id: 'dashboard-name', placeholder: 'name (letters, digits, _ or -)', value: editName || ''});
    const text = el('textarea', {id: 'dashboard-json', className: 'json', rows: 16, spellcheck: false, value: EXAMPLE});
    const save = el('button', {type: 'button', className: 'primary', id: 'dashboard-save', textContent: 'Save'});
    const status = el('div', {id: 'dashboard-status'});
    main.replaceChildren(el('div', {className: 'dashboards-page'}, [
      el('h2', {textContent: 'Dashboards'}), list,
      el('h3', {textContent: 'Define or change a dashboard'}),
      el('p', {className: 'hint', textContent: 'A list of tiles: statement, title, chart (auto, table, line, bar, ' +
        'evaluation, number), refresh ("30s", "5m", "off"), width (1-4). Saving needs an admin token; ' +
        'every version is kept.'}),
      el('div', {className: 'row'}, [name, save]), text, status]));
    save.addEventListener('click', async () => {
      status.className = '';
      try {
        const r = await Api.putDashboard(name.value.trim(), text.value);
        status.className = 'ok';
        status.textContent = r.message + ' (version ' + r.version + ')';
        loadList(list);
      } catch (err) {
        status.className = 'error-box' + (err.status === 403 ? ' forbidden' : '');
        status.textContent = (err.field ? 'field ' + err.field + ': ' : '') + describeApiError(err);
      }
    });
    if (editName) {
      try {
        const d = await Api.dashboard(editName);
        text.value = JSON.stringify({title: d.title, columns: d.columns, tiles: d.tiles}, null, 2);
      } catch (err) { status.textContent = describeApiError(err); }
    }
    loadList(list);
  }

  async function loadList(list) {
    try {
      const boards = await Api.dashboards();
      if (!boards.length) {
        list.replaceChildren(el('p', {textContent: 'No dashboards yet: define one below.'}));
        return;
      }
      const rows = boards.map((b) => el('tr', {}, [
        el('td', {}, [el('a', {href: '#/dashboard/' + encodeURIComponent(b.name), textContent: b.name})]),
        el('td', {textContent: b.title}), el('td', {textContent: String(b.tiles)}), el('td', {textContent: b.version}),
        el('td', {}, [el('a', {href: '#/wall/' + encodeURIComponent(b.name), textContent: 'wall'}), ' ',
                      el('a', {href: '#/dashboards/edit/' + encodeURIComponent(b.name), textContent: 'edit'})]),
      ]));
      list.replaceChildren(el('table', {className: 'result-table'}, [
        el('thead', {}, [el('tr', {}, ['name', 'title', 'tiles', 'version', ''].map((h) => el('th', {textContent: h})))]),
        el('tbody', {}, rows)]));
    } catch (err) {
      Results.error(list, err);
    }
  }

  // --- a board -------------------------------------------------------------------

  async function renderBoard(main, name, wall) {
    stop();
    const mine = generation;
    wallName = name;
    if (wall) {
      document.body.classList.add('wall');
      document.addEventListener('keydown', onWallKey);
    }
    const grid = el('div', {className: 'tiles', id: 'tiles'});
    const clock = el('span', {className: 'clock'});
    const head = el('div', {className: 'board-head'}, [el('h2', {id: 'board-title', textContent: name}), clock]);
    main.replaceChildren(el('div', {className: 'board'}, [head, grid]));
    let board;
    try {
      board = await Api.dashboard(name);
    } catch (err) {
      Results.error(grid, err);
      return;
    }
    if (mine !== generation) return;
    document.getElementById('board-title').textContent = board.title || name;
    if (!wall) {
      head.append(el('a', {href: '#/wall/' + encodeURIComponent(name), className: 'wall-link', textContent: 'Wall mode'}),
                  el('a', {href: '#/dashboards/edit/' + encodeURIComponent(name), className: 'wall-link', textContent: 'Edit'}));
    }
    grid.style.setProperty('--columns', board.columns);
    const rowsNeeded = Math.ceil(board.tiles.reduce((n, t) => n + Math.min(t.width, board.columns), 0) / board.columns);
    grid.style.setProperty('--rows', Math.max(1, rowsNeeded));
    const started = performance.now();
    let pending = board.tiles.length;
    const needShading = board.tiles.some((t) => t.chart === 'evaluation' || t.chart === 'auto');
    const exemptions = needShading ? Api.exemptions().catch(() => []) : Promise.resolve([]);
    const tick = () => { clock.textContent = new Date().toLocaleTimeString(); };
    tick();
    timers.push(setInterval(tick, 1000));
    board.tiles.forEach((tile, i) => {
      const body = el('div', {className: 'tile-body'});
      const foot = el('div', {className: 'tile-foot'});
      const box = el('div', {className: 'tile', id: 'tile-' + i}, [
        el('div', {className: 'tile-title', textContent: tile.title || tile.statement}), body, foot]);
      box.style.gridColumn = 'span ' + Math.min(tile.width, board.columns);
      box.dataset.chart = tile.chart;
      grid.append(box);
      let chart = null;
      let last = null;  // the latest answer, drawn again when the tile's size changes
      const draw = (answer, shading) => {
        if (chart) { chart.dispose(); charts = charts.filter((c) => c !== chart); chart = null; }
        const kind = tile.chart === 'auto' ? KpiCharts.chooseKind(answer.doc) : tile.chart;
        if (kind === 'table') {
          body.replaceChildren(el('div', {className: 'table-wrap'}, [Results.table(answer.doc)]));
        } else {
          const area = el('div', {className: 'tile-chart'});
          body.replaceChildren(area);
          chart = KpiCharts.render(area, answer.doc, kind, {exemptions: shading, dark: wall, large: wall});
          if (chart) charts.push(chart);
        }
      };
      let drawnHeight = 0, drawnWidth = 0;
      observers.push(new ResizeObserver(() => {
        if (!last || (body.clientHeight === drawnHeight && body.clientWidth === drawnWidth)) return;
        drawnHeight = body.clientHeight;
        drawnWidth = body.clientWidth;
        draw(last.answer, last.shading);
      }));
      observers[observers.length - 1].observe(body);
      let runs = 0;
      const run = async () => {
        box.classList.add('busy');
        box.dataset.runs = String(++runs);
        try {
          const answer = await Api.query(tile.statement);
          const shading = await exemptions;
          if (mine !== generation) return;
          last = {answer, shading};
          drawnHeight = body.clientHeight;
          drawnWidth = body.clientWidth;
          draw(answer, shading);
          box.dataset.state = 'done';
          box.dataset.rows = String(answer.doc.rows ? answer.doc.rows.length : 0);
          foot.textContent = 'updated ' + new Date().toLocaleTimeString() +
            (tile.refresh ? ' · every ' + tile.refresh + ' s' : '') + ' · ' +
            Math.round(answer.doc.stats ? answer.doc.stats.elapsed_ms : 0) + ' ms';
        } catch (err) {
          if (mine !== generation) return;
          box.dataset.state = 'error';
          body.replaceChildren();
          Results.error(body, err);
          foot.textContent = 'failed ' + new Date().toLocaleTimeString();
        } finally {
          box.classList.remove('busy');
        }
        if (mine !== generation) return;
        if (--pending === 0) {
          grid.dataset.renderedMs = String(Math.round(performance.now() - started));
          grid.dataset.doneAt = String(Math.round(performance.now()));  // since navigation start
          grid.dataset.state = 'done';
        }
        if (tile.refresh > 0) timers.push(setTimeout(run, tile.refresh * 1000));
      };
      run();
    });
  }

  return {renderList, renderBoard, stop};
})();
