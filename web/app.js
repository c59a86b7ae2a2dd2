// The page's frame: sign-in and the routes.
//   #/signin            a bearer token (kept for the tab; "remember" keeps it
//                       in this browser); checked with GET /v1/kpis (read)
//   #/query             web/query_page.js
//   #/dashboards[/edit/NAME], #/dashboard/NAME, #/wall/NAME   web/dashboard_page.js
// A server without a token file serves loopback clients without one: the
// check then passes with no token and the page says so.
'use strict';

const App = (() => {
  const main = () => document.getElementById('main');
  let signedIn = false;

  async function check() {
    try {
      await Api.request('GET', '/v1/kpis');
      signedIn = true;
    } catch (err) {
      signedIn = false;
      return err;
    }
    const who = document.getElementById('who');
    who.textContent = Api.token() ? 'signed in' : 'no token needed here';
    document.getElementById('sign-out').hidden = !Api.token();
    return null;
  }

  function renderSignIn(problem) {
    const el = Results.el;
    const token = el('input', {type: 'password', id: 'token', placeholder: 'bearer token', autocomplete: 'off'});
    const remember = el('input', {type: 'checkbox', id: 'remember'});
    const go = el('button', {type: 'submit', className: 'primary', id: 'sign-in', textContent: 'Sign in'});
    const status = el('div', {id: 'signin-status', className: problem ? 'error-box' : '',
                              textContent: problem ? describeApiError(problem) : ''});
    const form = el('form', {className: 'signin'}, [
      el('h2', {textContent: 'Sign in'}),
      el('p', {className: 'hint', textContent: 'Use a token from the server\'s token file (kpi serve --tokens).'}),
      token, el('label', {}, [remember, ' remember on this browser']), go, status]);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      Api.setToken(token.value.trim(), remember.checked);
      const err = await check();
      if (err) {
        Api.signOut();
        status.className = 'error-box';
        status.textContent = describeApiError(err);
        return;
      }
      const next = sessionStorage.getItem('kpi-after-signin') || '#/query';
      if (location.hash === next) route();  // no hashchange to wait for
      else location.hash = next;
    });
    main().replaceChildren(form);
    token.focus();
  }

  async function route() {
    const hash = location.hash || '#/query';
    DashboardPage.stop();
    if (!signedIn) {
      const err = await check();
      if (err) {
        if (hash !== '#/signin') sessionStorage.setItem('kpi-after-signin', hash);
        return renderSignIn(err.status === 401 ? null : err);
      }
    }
    document.querySelectorAll('#chrome nav a').forEach((a) => a.classList.toggle('current', hash.startsWith(a.getAttribute('href'))));
    const [, page, a, b] = hash.split('/').map(decodeURIComponent);
    if (page === 'dashboards') return DashboardPage.renderList(main(), a === 'edit' ? b : '');
    if (page === 'dashboard' && a) return DashboardPage.renderBoard(main(), a, false);
    if (page === 'wall' && a) return DashboardPage.renderBoard(main(), a, true);
    if (page === 'signin') return renderSignIn(null);
    return QueryPage.render(main());
  }

  function start() {
    document.getElementById('sign-out').addEventListener('click', () => {
      Api.signOut();
      signedIn = false;
      document.getElementById('who').textContent = '';
      location.hash = '#/signin';
    });
    window.addEventListener('hashchange', route);
    route();
  }

  return {start};
})();

App.start();
