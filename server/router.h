// Router: one HTTP request -> one HTTP response, with no sockets involved.
//
// Endpoints (docs/server-api.md is the user's reference):
//   GET  /health                    no auth        {"status":"ok"}
//   GET  /metrics                   read           Prometheus text
//   GET  /v1/query?q=...            read (*)       result as JSON, or CSV with
//   POST /v1/query                  read (*)         ?format=csv / Accept: text/csv
//   POST /v1/events                 write          NDJSON or CSV, gzip allowed
//   GET  /v1/kpis                   read           named KPIs
//   GET  /v1/kpis/{name}            read
//   PUT  /v1/kpis/{name}            admin          body = the KPI expression
//   DELETE /v1/kpis/{name}          admin
//   PUT  /v1/tables/{name}?key=COL  admin          body = CSV: loads (replaces) a lookup table
//   PUT  /v1/targets                admin          body = CSV kpi,op,target,<dim>,...: defines targets
//   POST /v1/backup?to=DIR          admin          a consistent backup (server/backup_endpoint.h)
//   GET  /v1/alerts                 read           watch alerts, open and recent (server/alerts_endpoint.h)
//   GET  / and /ui/<file>           no auth        the web UI's files (server/web_ui_endpoint.h)
//   GET  /v1/complete?q=&cursor=    read           completion of statement text (REPL rule)
//   GET  /v1/exemptions             read           exemption windows, for shading charts
//   GET  /v1/dashboards[/{name}[/versions]]  read  dashboards (server/dashboards_endpoint.h)
//   PUT|DELETE /v1/dashboards/{name} admin         body = dashboard JSON; a scoped admin owns its own
// (*) a `define kpi` or `drop kpi` statement sent to /v1/query needs admin.
// A scoped token (server/auth.h) runs statements under its scope, uploads
// only events inside it, and gets 403 for /metrics and for everything that
// needs admin (definitions are shared by every scope).
// Checks run in this order: target syntax (400), path (404), method (405 with
// Allow), credentials (401 with WWW-Authenticate: Bearer / 403), body size
// (413), then the handler. Every error body is {"error":{"message":...}};
// query errors add "line", "column" and "snippet".
// Status mapping of statement outcomes: InvalidArgument 400, NotFound 404,
// ResourceExhausted (result over max_result_rows) 422, TimedOut 504,
// Aborted 503, anything else 500. A result over max_result_rows or whose
// rendering passes max_response_bytes is 422 too, whatever the engine did
// (the rendering stops at the byte cap instead of finishing the body).
//
// Without a token table (null or empty) only trusted peers (loopback TCP,
// the Unix socket) are served, with every role; others get 403.
//
// Thread safety: Route() may be called from many threads at once. Uploads
// run concurrently, each its own batch, and share seals through a
// GroupCommit (server/group_commit.h); queries never wait for them. An
// UploadGate bounds the body bytes of the uploads in progress to twice
// max_body_bytes, so many small uploads run at once but big ones two at a
// time. The Store, TokenTable and Metrics must outlive the Router.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "query/catalog/meta_store.h"
#include "query/engine.h"
#include "query/result.h"
#include "server/auth.h"
#include "server/event_upload.h"
#include "server/group_commit.h"
#include "server/http_message.h"
#include "server/upload_gate.h"
#include "server/metrics.h"
#include "server/url.h"
#include "storage/status.h"

namespace kpi::storage {
class Store;
}

namespace kpi::server {

// Runs one statement; query::Engine::Execute in production, a fake in tests.
using QueryRunner = std::function<Status(std::string_view text, const query::ExecOptions& options,
                                         query::Result* result, query::QueryError* error)>;

struct RouterLimits {
  uint64_t max_body_bytes = uint64_t{64} << 20;
  std::chrono::milliseconds query_timeout{30000};  // a request may ask for less (?timeout_ms=)
  size_t max_result_rows = 1'000'000;
  int exec_threads = 2;                  // ExecOptions::threads per query
  uint64_t max_upload_events = 2'000'000;
  std::chrono::milliseconds store_info_ttl{5000};  // kpi_store_bytes refresh period
  uint64_t max_response_bytes = uint64_t{256} << 20;  // a rendered result past it: 422
};

class Router {
 public:
  // `store` may be null (then /v1/events goes to `ingest`, or answers 503
  // without one, and backups answer 501); `tokens` may be null. With a
  // store, uploads go through a GroupCommit. `backend`: whose definitions
  // and names the definition endpoints (tables, targets, exemptions,
  // completion, dashboards) use, through Backend::Meta and LoadSchema, the
  // same code for every backend; null: the local engine over `store` (and
  // without either, those endpoints answer 503).
  Router(QueryRunner run_query, storage::Store* store, const TokenTable* tokens, Metrics* metrics,
         RouterLimits limits, EventIngester ingest = nullptr, const query::Backend* backend = nullptr);

  Response Route(const Request& request);

  // The checks Route() makes before the body matters, on a request whose
  // body has not been read (`request.body` empty, `declared_body` the
  // Content-Length if any): target (400), path (404), method (405),
  // credentials (401/403), declared size (413). Status 0: go on and read the
  // body. The HTTP server calls this first so that an unauthenticated body
  // is never read (and no 100 Continue is sent for it).
  Response Admit(const Request& request, uint64_t declared_body, Endpoint* endpoint) const;

  // Makes every running and later statement stop with Aborted (503); the
  // server calls it when its drain timeout passes during shutdown.
  void CancelAll() { cancel_.store(true); }

  // The metrics label of a request target (for errors answered before routing).
  static Endpoint Classify(std::string_view target);
  // True for requests that write (uploads, KPI changes): the server runs them
  // on its own single writer thread so that they never delay queries.
  static bool IsWrite(const Request& request);

  const RouterLimits& limits() const { return limits_; }

 private:
  Response Dispatch(const Request& request, Endpoint* endpoint);
  Response HandleQuery(const Request& request, const Target& target);
  Response HandleEvents(const Request& request, const Target& target);
  Response HandleListKpis(const Request& request, const std::string* only_name);
  Response HandlePutKpi(const Request& request, const std::string& name);
  Response HandleDeleteKpi(const std::string& name);
  Response HandlePutTable(const Request& request, const Target& target, const std::string& name);
  Response HandlePutTargets(const Request& request);
  Response HandleMetrics();
  // Empty status 0 when `request` may act with `needed`; otherwise the 401/403.
  // scoped_admin_ok: a scoped admin passes (definition statements, whose
  // ownership the engine checks).
  Response Authorize(const Request& request, Role needed, bool scoped_admin_ok = false) const;
  Status RunStatement(std::string_view text, std::chrono::milliseconds timeout, query::Result* result,
                      query::QueryError* error, std::shared_ptr<const query::Scope> scope = nullptr) const;
  // The role and scope of the request's token (trusted peers without a token
  // table: admin, unscoped).
  Grant GrantOf(const Request& request) const;

  std::atomic<bool> cancel_{false};  // set by CancelAll(); ExecOptions::cancel of every statement
  QueryRunner run_query_;
  storage::Store* store_;
  std::unique_ptr<query::Engine> own_engine_;  // over store_ when no backend was given
  const query::Backend* backend_;              // definitions and names (may be null)
  const TokenTable* tokens_;
  Metrics* metrics_;
  RouterLimits limits_;
  std::unique_ptr<GroupCommit> commit_;  // null without a store
  EventIngester ingest_;                 // uploads: commit_'s, or the constructor's
  // Uploads parsing, staging or waiting for their seal: at most twice the
  // body limit in bytes at once (server/upload_gate.h).
  UploadGate upload_gate_;
  std::mutex info_mu_;    // guards the store-gauge refresh time
  std::mutex scoped_upload_mu_;  // scoped uploads: check and seal one at a time
  std::chrono::steady_clock::time_point info_refreshed_{};
};

// The first keyword of a statement, lower-cased, skipping blanks and `--`
// comments ("select", "define", ...); "" if none.

// Response for a failed statement: status per the mapping above and the
// error body (with line/column/snippet for parse and bind errors).
Response StatementErrorResponse(const Status& status, const query::QueryError& error);

}  // namespace kpi::server
