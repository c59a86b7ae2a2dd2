// The HTTP API as the web UI uses it (docs/server-api.md). Every request
// carries the signed-in bearer token; the server decides what the token may
// do, and a refusal comes back as an ApiError the pages show as such.
'use strict';

class ApiError extends Error {
  // status: the HTTP status (0: no answer); error: the server's
  // {"message","line","column","snippet","field"} object.
  constructor(status, error) {
    super((error && error.message) || ('HTTP ' + status));
    this.status = status;
    this.line = error && error.line;
    this.column = error && error.column;
    this.snippet = error && error.snippet;
    this.field = error && error.field;
  }
}

const Api = {
  token() {
    return sessionStorage.getItem('kpi-token') || localStorage.getItem('kpi-token') || '';
  },
  setToken(token, remember) {
    sessionStorage.setItem('kpi-token', token);
    if (remember) localStorage.setItem('kpi-token', token);
    else localStorage.removeItem('kpi-token');
  },
  signOut() {
    sessionStorage.removeItem('kpi-token');
    localStorage.removeItem('kpi-token');
  },

  // Sends one request; resolves to {doc, text} (the parsed JSON and the
  // body exactly as sent, which "Save JSON" keeps for `kpi audit verify`).
  async request(method, path, body, contentType) {
    const headers = {};
    const token = this.token();
    if (token) headers['Authorization'] = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
    let response;
    try {
      response = await fetch(path, {method, headers, body, cache: 'no-store'});
    } catch (e) {
      throw new ApiError(0, {message: 'the server did not answer (' + e.message + ')'});
    }
    const text = await response.text();
    let doc = null;
    try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = null; }
    if (!response.ok) throw new ApiError(response.status, doc && doc.error ? doc.error : {message: text});
    return {doc, text};
  },

  async query(statement) {
    return this.request('POST', '/v1/query', JSON.stringify({query: statement}));
  },
  // Completion of `before` (the text up to the caret) by the REPL's rule.
  async complete(before) {
    return (await this.request('GET', '/v1/complete?q=' + encodeURIComponent(before))).doc;
  },
  async exemptions() {
    return (await this.request('GET', '/v1/exemptions')).doc.exemptions;
  },
  async dashboards() {
    return (await this.request('GET', '/v1/dashboards')).doc.dashboards;
  },
  async dashboard(name) {
    return (await this.request('GET', '/v1/dashboards/' + encodeURIComponent(name))).doc;
  },
  async putDashboard(name, jsonText) {
    return (await this.request('PUT', '/v1/dashboards/' + encodeURIComponent(name), jsonText)).doc;
  },
  async deleteDashboard(name) {
    return (await this.request('DELETE', '/v1/dashboards/' + encodeURIComponent(name))).doc;
  },
};

// A sentence for a person: what went wrong and what to do.
function describeApiError(err) {
  if (!(err instanceof ApiError)) return String(err && err.message || err);
  switch (err.status) {
    case 0: return err.message;
    case 401: return 'Not signed in, or the token is unknown: sign in again.';
    case 403: return 'Your token may not do this. ' + err.message;
    case 429: return 'Too many requests at once; try again in a moment.';
    case 504: return 'The statement ran past the server\'s time limit. ' + err.message;
    default: return err.message;
  }
}
