// The request router (see server/router.h).
#include "server/router.h"

#include "query/parser/parser.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "query/binder/schema.h"
#include "query/catalog/meta_store.h"
#include "query/catalog/table_store.h"
#include "query/evaluation/targets_csv.h"
#include "server/alerts_endpoint.h"
#include "server/backup_endpoint.h"
#include "server/dashboards_endpoint.h"
#include "server/event_upload.h"
#include "server/json_text.h"
#include "server/result_render.h"
#include "server/web_ui_endpoint.h"
#include "storage/store.h"

namespace kpi::server {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kKpisPrefix = "/v1/kpis/";
constexpr std::string_view kTablesPrefix = "/v1/tables/";
constexpr size_t kMaxKpiNameBytes = 128;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool IsKpiName(std::string_view name) {
  if (name.empty() || name.size() > kMaxKpiNameBytes) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Response JsonResponse(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

// A CSV upload that failed: 400 with the body's line ("line 7: ...") for a
// bad file, 500 for a store failure.
Response CsvErrorResponse(const Status& s) {
  if (s.code() != Status::Code::kInvalidArgument) return ErrorResponse(500, s.message());
  Response r;
  r.status = 400;
  r.body = "{\"error\":{\"message\":" + JsonString(s.message());
  long line = 0;
  if (std::sscanf(s.message().c_str(), "line %ld:", &line) == 1 && line > 0) {
    r.body += ",\"line\":" + std::to_string(line);
  }
  r.body += "}}\n";
  return r;
}

// Where a route lives and what it allows.
struct RouteInfo {
  Endpoint endpoint = Endpoint::kOther;
  const char* allow = nullptr;  // nullptr: unknown path
};

RouteInfo Lookup(std::string_view path) {
  if (path == "/health") return {Endpoint::kHealth, "GET"};
  if (path == "/metrics") return {Endpoint::kMetrics, "GET"};
  if (path == "/v1/query") return {Endpoint::kQuery, "GET, POST"};
  if (path == "/v1/events") return {Endpoint::kEvents, "POST"};
  if (path == "/v1/kpis") return {Endpoint::kKpis, "GET"};
  if (StartsWith(path, kKpisPrefix) && path.size() > kKpisPrefix.size()) {
    return {Endpoint::kKpis, "GET, PUT, DELETE"};
  }
  if (StartsWith(path, kTablesPrefix) && path.size() > kTablesPrefix.size()) return {Endpoint::kTables, "PUT"};
  if (path == "/v1/targets") return {Endpoint::kTargets, "PUT"};
  if (path == "/v1/backup") return {Endpoint::kBackup, "POST"};
  if (path == "/v1/alerts") return {Endpoint::kAlerts, "GET"};
  if (IsWebAssetPath(path)) return {Endpoint::kUi, "GET"};
  if (path == "/v1/complete") return {Endpoint::kComplete, "GET"};
  if (path == "/v1/exemptions") return {Endpoint::kExemptions, "GET"};
  if (path == kDashboardsPath) return {Endpoint::kDashboards, "GET"};
  if (StartsWith(path, kDashboardsPath) && path.size() > kDashboardsPath.size() + 1 &&
      path[kDashboardsPath.size()] == '/') {
    return {Endpoint::kDashboards, path.ends_with("/versions") ? "GET" : "GET, PUT, DELETE"};
  }
  return {};
}

bool MethodAllowed(std::string_view allow, std::string_view method) {
  while (!allow.empty()) {
    size_t comma = allow.find(',');
    if (Trim(allow.substr(0, comma)) == method) return true;
    allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 1);
  }
  return false;
}

Role NeededRole(Endpoint endpoint, std::string_view method) {
  switch (endpoint) {
    case Endpoint::kHealth: return Role::kNone;
    case Endpoint::kEvents: return Role::kWrite;
    case Endpoint::kKpis: return method == "GET" ? Role::kRead : Role::kAdmin;
    case Endpoint::kTables: return Role::kAdmin;
    case Endpoint::kTargets: return Role::kAdmin;
    case Endpoint::kBackup: return Role::kAdmin;
    case Endpoint::kUi: return Role::kNone;  // the page and scripts hold no data
    case Endpoint::kDashboards: return method == "GET" ? Role::kRead : Role::kAdmin;
    default: return Role::kRead;
  }
}

}  // namespace

Response StatementErrorResponse(const Status& status, const query::QueryError& error) {
  int code = 500;
  switch (status.code()) {
    case Status::Code::kInvalidArgument: code = 400; break;
    case Status::Code::kNotFound: code = 404; break;
    case Status::Code::kResourceExhausted: code = 422; break;
    case Status::Code::kTimedOut: code = 504; break;
    case Status::Code::kAborted: code = 503; break;
    case Status::Code::kPermissionDenied: code = 403; break;
    default: break;
  }
  std::string message = !error.message.empty() ? error.message : status.message();
  if (message.empty()) message = status.ToString();
  Response r;
  r.status = code;
  r.body = "{\"error\":{\"message\":";
  AppendJsonString(&r.body, message);
  if (error.line > 0) {
    r.body += ",\"line\":" + std::to_string(error.line) + ",\"column\":" + std::to_string(error.column);
  }
  if (!error.snippet.empty()) {
    r.body += ",\"snippet\":";
    AppendJsonString(&r.body, error.snippet);
  }
  r.body += "}}\n";
  return r;
}

Router::Router(QueryRunner run_query, storage::Store* store, const TokenTable* tokens, Metrics* metrics,
               RouterLimits limits, EventIngester ingest, const query::Backend* backend)
    : run_query_(std::move(run_query)),
      store_(store),
      own_engine_(backend == nullptr && store != nullptr ? std::make_unique<query::Engine>(store) : nullptr),
      backend_(backend != nullptr ? backend : own_engine_.get()),
      tokens_(tokens),
      metrics_(metrics),
      limits_(limits),
      commit_(store != nullptr ? std::make_unique<GroupCommit>(store) : nullptr),
      ingest_(std::move(ingest)),
      upload_gate_(2 * limits.max_body_bytes) {
  if (commit_)
    ingest_ = [commit = commit_.get()](std::span<const RawEvent> events, std::vector<storage::EventReject>* rejects,
                                       storage::IngestStats* stats) { return commit->Ingest(events, rejects, stats); };
}

Endpoint Router::Classify(std::string_view target) {
  return Lookup(target.substr(0, target.find('?'))).endpoint;
}

bool Router::IsWrite(const Request& request) {
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (path == "/v1/events" || path == "/v1/backup") return true;
  if (StartsWith(path, kDashboardsPath)) return request.method == "PUT" || request.method == "DELETE";
  if (StartsWith(path, kTablesPrefix) || path == "/v1/targets") return request.method == "PUT";
  return StartsWith(path, kKpisPrefix) && (request.method == "PUT" || request.method == "DELETE");
}

Response Router::Route(const Request& request) {
  Clock::time_point start = Clock::now();
  Endpoint endpoint = Endpoint::kOther;
  Response response = Dispatch(request, &endpoint);
  if (metrics_ != nullptr) {
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics_->RecordRequest(endpoint, response.status, seconds);
  }
  return response;
}

Response Router::Dispatch(const Request& request, Endpoint* endpoint) {
  Response refused = Admit(request, request.body.size(), endpoint);
  if (refused.status != 0) return refused;
  Target target;
  ParseTarget(request.target, &target);  // Admit() checked it
  switch (*endpoint) {
    case Endpoint::kHealth: return JsonResponse("{\"status\":\"ok\"}\n");
    case Endpoint::kMetrics: return HandleMetrics();
    case Endpoint::kQuery: return HandleQuery(request, target);
    case Endpoint::kEvents: return HandleEvents(request, target);
    case Endpoint::kKpis: {
      if (target.path == "/v1/kpis") return HandleListKpis(request, nullptr);
      std::string name = target.path.substr(kKpisPrefix.size());
      if (!IsKpiName(name)) {
        return ErrorResponse(400, "a KPI name is a letter or '_' followed by letters, digits or '_'");
      }
      if (request.method == "GET") return HandleListKpis(request, &name);
      if (request.method == "PUT") return HandlePutKpi(request, name);
      return HandleDeleteKpi(name);
    }
    case Endpoint::kTables: return HandlePutTable(request, target, target.path.substr(kTablesPrefix.size()));
    case Endpoint::kTargets: return HandlePutTargets(request);
    case Endpoint::kBackup: return HandleBackup(store_, target);
    case Endpoint::kAlerts: return HandleAlerts(backend_, GrantOf(request));
    case Endpoint::kUi: return ServeWebAsset(request, target.path);
    case Endpoint::kComplete: return HandleComplete(backend_, target, GrantOf(request));
    case Endpoint::kExemptions: return HandleExemptions(backend_, GrantOf(request));
    case Endpoint::kDashboards: return HandleDashboards(backend_, request, target, GrantOf(request));
    default: break;
  }
  return ErrorResponse(404, "no such endpoint: " + target.path);
}

Response Router::Admit(const Request& request, uint64_t declared_body, Endpoint* endpoint) const {
  Response ok;
  ok.status = 0;
  Target target;
  if (!ParseTarget(request.target, &target)) return ErrorResponse(400, "malformed request target");
  RouteInfo route = Lookup(target.path);
  *endpoint = route.endpoint;
  if (route.allow == nullptr) return ErrorResponse(404, "no such endpoint: " + target.path);
  if (!MethodAllowed(route.allow, request.method)) {
    Response r = ErrorResponse(405, "method " + request.method + " not allowed here (allowed: " + route.allow + ")");
    r.headers.emplace_back("Allow", route.allow);
    return r;
  }
  Role needed = NeededRole(route.endpoint, request.method);
  if (needed != Role::kNone) {
    // Dashboards are definitions: a scoped admin manages its scope's own.
    Response denied = Authorize(request, needed, /*scoped_admin_ok=*/route.endpoint == Endpoint::kDashboards);
    if (denied.status != 0) return denied;
  }
  // /metrics counts the whole store's events and requests: not for a scope.
  if (route.endpoint == Endpoint::kMetrics && GrantOf(request).scope) {
    return ErrorResponse(403, "/metrics describes the whole store; a scoped token may not read it");
  }
  if (declared_body > limits_.max_body_bytes) {
    return ErrorResponse(413, "request body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  return ok;
}

Response Router::Authorize(const Request& request, Role needed, bool scoped_admin_ok) const {
  Response allowed;
  allowed.status = 0;
  if (tokens_ == nullptr || tokens_->empty()) {
    if (request.trusted_peer) return allowed;
    return ErrorResponse(403, "this server has no token file and serves only loopback and Unix-socket clients");
  }
  std::string_view token = BearerToken(request.Header("Authorization"));
  const Grant grant = tokens_->LookupGrant(token);
  const Role role = grant.role;
  if (role == Role::kNone) {
    Response r = ErrorResponse(401, token.empty() ? "missing bearer token" : "unknown bearer token");
    r.headers.emplace_back("WWW-Authenticate",
                           token.empty() ? "Bearer realm=\"kpistore\"" : "Bearer realm=\"kpistore\", error=\"invalid_token\"");
    return r;
  }
  if (static_cast<int>(role) < static_cast<int>(needed)) {
    return ErrorResponse(403, std::string("this token's role '") + RoleName(role) + "' may not do this (needs '" +
                                  RoleName(needed) + "')");
  }
  // A scoped admin manages its scope's own definitions, through definition
  // statements only (the engine checks ownership); the KPI, table, targets
  // and backup endpoints change shared state: unscoped admins only.
  if (needed == Role::kAdmin && grant.scope && !scoped_admin_ok) {
    return ErrorResponse(403, "this token is scoped (" + grant.scope->text() +
                                  "); a scoped admin manages its scope's definitions with definition statements on "
                                  "/v1/query; this endpoint is for unscoped admins only");
  }
  return allowed;
}

Grant Router::GrantOf(const Request& request) const {
  if (tokens_ == nullptr || tokens_->empty()) return Grant{Role::kAdmin, nullptr};  // trusted peers only
  return tokens_->LookupGrant(BearerToken(request.Header("Authorization")));
}

Status Router::RunStatement(std::string_view text, std::chrono::milliseconds timeout, query::Result* result,
                            query::QueryError* error, std::shared_ptr<const query::Scope> scope) const {
  if (!run_query_) return Status::Aborted("this server has no query engine");
  query::ExecOptions options;
  options.scope = std::move(scope);
  options.threads = limits_.exec_threads;
  options.deadline = Clock::now() + timeout;
  options.max_result_rows = limits_.max_result_rows;
  options.cancel = &cancel_;
  Status s = run_query_(text, options, result, error);
  // Statements that do not check the cap themselves (or fakes) get it here.
  if (s.ok() && result->rows.size() > limits_.max_result_rows) {
    *error = query::QueryError{};
    return Status::ResourceExhausted("the result has " + std::to_string(result->rows.size()) +
                                     " rows, more than the limit of " + std::to_string(limits_.max_result_rows));
  }
  return s;
}

Response Router::HandleQuery(const Request& request, const Target& target) {
  std::string text;
  if (request.method == "GET") {
    const std::string* q = target.Param("q");
    if (q == nullptr) return ErrorResponse(400, "missing parameter q (the query text)");
    text = *q;
  } else if (MediaType(request.Header("Content-Type")) == "application/json") {
    nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return ErrorResponse(400, "request body is not valid JSON");
    if (!doc.is_object() || !doc.contains("query") || !doc["query"].is_string()) {
      return ErrorResponse(400, "expected a JSON object {\"query\": \"...\"}");
    }
    text = doc["query"].get<std::string>();
  } else {
    text = request.body;
  }
  if (Trim(text).empty()) return ErrorResponse(400, "empty query");

  bool csv = false;
  if (const std::string* format = target.Param("format")) {
    if (*format == "csv") {
      csv = true;
    } else if (*format != "json") {
      return ErrorResponse(400, "format must be json or csv");
    }
  } else {
    csv = ContainsIgnoreCase(request.Header("Accept"), "text/csv");
  }
  std::chrono::milliseconds timeout = limits_.query_timeout;
  if (const std::string* t = target.Param("timeout_ms")) {
    char* end = nullptr;
    long long ms = std::strtoll(t->c_str(), &end, 10);
    if (t->empty() || end != t->c_str() + t->size() || ms <= 0) {
      return ErrorResponse(400, "timeout_ms must be a positive integer");
    }
    if (ms < timeout.count()) timeout = std::chrono::milliseconds(ms);
  }
  // Statements that change the KPI catalog need the role the KPI endpoints need.
  // The parser says what the statement does: definitions need the admin role.
  if (query::ClassifyStatement(text) == query::StatementKind::kDefinition) {
    Response denied = Authorize(request, Role::kAdmin, /*scoped_admin_ok=*/true);
    if (denied.status != 0) return denied;
  }

  query::Result result;
  query::QueryError error;
  // A scoped token's statement sees only its scope's tickets.
  Status s = RunStatement(text, timeout, &result, &error, GrantOf(request).scope);
  if (!s.ok()) return StatementErrorResponse(s, error);
  Response r;
  bool complete = true;
  if (csv) {
    r.content_type = "text/csv; charset=utf-8";
    r.body = RenderResultCsv(result, limits_.max_response_bytes, &complete);
  } else {
    r.body = RenderResultJson(result, limits_.max_response_bytes, &complete);
  }
  if (!complete) {
    return ErrorResponse(422, "the result renders to more than " + std::to_string(limits_.max_response_bytes) +
                                  " bytes; narrow the query (fewer groups, a limit)");
  }
  return r;
}

Response Router::HandleEvents(const Request& request, const Target& target) {
  if (!ingest_) return ErrorResponse(503, "this server has no store to ingest into");
  std::string encoding = MediaType(request.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity" && encoding != "gzip" && encoding != "x-gzip") {
    return ErrorResponse(415, "Content-Encoding must be gzip or identity");
  }
  UploadOptions options;
  options.max_events = limits_.max_upload_events;
  options.scope = GrantOf(request).scope;  // a scoped writer adds only events inside its scope
  options.backend = backend_;
  options.scope_mutex = &scoped_upload_mu_;
  std::string media = MediaType(request.Header("Content-Type"));
  options.format = media == "text/csv" ? ingest::InputFormat::kCsv : ingest::InputFormat::kNdjson;
  if (const std::string* format = target.Param("format")) {
    if (*format == "csv") {
      options.format = ingest::InputFormat::kCsv;
    } else if (*format == "ndjson" || *format == "json") {
      options.format = ingest::InputFormat::kNdjson;
    } else {
      return ErrorResponse(400, "format must be ndjson or csv");
    }
  }
  UploadResult result;
  const UploadGate::Pass pass = upload_gate_.Enter(request.body.size());
  Status s = UploadEvents(ingest_, request.body, options, &result);
  if (!s.ok()) {
    int code = s.code() == Status::Code::kInvalidArgument      ? 400
               : s.code() == Status::Code::kResourceExhausted ? 413
                                                               : 500;
    return ErrorResponse(code, s.message());
  }
  if (metrics_ != nullptr) metrics_->AddEventsIngested(result.accepted, result.duplicates, result.rejected);
  std::string body = "{\"accepted\":" + std::to_string(result.accepted) +
                     ",\"duplicates\":" + std::to_string(result.duplicates) +
                     ",\"rejected_count\":" + std::to_string(result.rejected) +
                     ",\"lines\":" + std::to_string(result.lines) + ",\"rejected\":[";
  for (size_t i = 0; i < result.rejects.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += "{\"line\":" + std::to_string(result.rejects[i].line) + ",\"error\":";
    AppendJsonString(&body, result.rejects[i].error);
    body.push_back('}');
  }
  body += "]}\n";
  return JsonResponse(std::move(body));
}

Response Router::HandleListKpis(const Request& request, const std::string* only_name) {
  query::Result result;
  query::QueryError error;
  // A scoped token lists the shared KPIs and its scope's own.
  Status s = RunStatement("show kpis", limits_.query_timeout, &result, &error, GrantOf(request).scope);
  if (!s.ok()) return StatementErrorResponse(s, error);
  if (only_name == nullptr) return JsonResponse("{\"kpis\":" + RenderRowsAsObjects(result) + "}\n");
  // One KPI: the row whose first column (the name) matches.
  query::Result one = result;
  one.rows.clear();
  for (const auto& row : result.rows) {
    if (!row.empty() && row[0].type == query::ValueType::kString && row[0].text == *only_name) one.rows.push_back(row);
  }
  if (one.rows.empty()) return ErrorResponse(404, "no KPI named " + *only_name);
  std::string objects = RenderRowsAsObjects(one);  // "[{...}]"
  return JsonResponse(objects.substr(1, objects.size() - 2) + "\n");
}

Response Router::HandlePutKpi(const Request& request, const std::string& name) {
  std::string_view expression = Trim(request.body);
  if (expression.empty()) return ErrorResponse(400, "empty body: send the KPI expression");
  // The expression starts on line 2 so that error lines map back to the body.
  std::string text = "define kpi " + name + " =\n" + std::string(expression);
  query::Result result;
  query::QueryError error;
  Status s = RunStatement(text, limits_.query_timeout, &result, &error);
  if (!s.ok()) {
    if (error.line >= 2) {
      error.line -= 1;
    } else {  // in the "define kpi" line the server wrote, not in the body
      error.line = error.column = 0;
      error.snippet.clear();
    }
    return StatementErrorResponse(s, error);
  }
  std::string body = "{\"name\":" + JsonString(name) + ",\"expression\":" + JsonString(expression) +
                     ",\"message\":" + JsonString(result.message) + "}\n";
  return JsonResponse(std::move(body));
}

Response Router::HandleDeleteKpi(const std::string& name) {
  query::Result result;
  query::QueryError error;
  Status s = RunStatement("drop kpi " + name, limits_.query_timeout, &result, &error);
  if (!s.ok()) {
    // A position would point into the statement the server wrote, which the
    // client never sent: the message alone.
    error.line = error.column = 0;
    error.snippet.clear();
    return StatementErrorResponse(s, error);
  }
  return JsonResponse("{\"name\":" + JsonString(name) + ",\"message\":" + JsonString(result.message) + "}\n");
}

Response Router::HandlePutTable(const Request& request, const Target& target, const std::string& name) {
  if (backend_ == nullptr) return ErrorResponse(503, "this server has no store to load tables into");
  std::string encoding = MediaType(request.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    return ErrorResponse(415, "send the table as plain CSV (no Content-Encoding)");
  }
  const std::string* key = target.Param("key");
  if (key == nullptr || key->empty()) return ErrorResponse(400, "missing parameter key (the table's key column)");
  query::TableLoadReport report;
  // No source name: errors read "line 7: ...", the line of the body.
  const query::MetaWriter meta = backend_->Meta();
  Status s = query::LoadTableCsvIntoStore(meta, name, *key, request.body, "", meta.NowMs(), &report);
  if (!s.ok()) return CsvErrorResponse(s);
  std::string body = "{\"name\":" + JsonString(name) + ",\"key\":" + JsonString(report.key_column) +
                     ",\"rows\":" + std::to_string(report.rows) + ",\"columns\":[";
  for (size_t i = 0; i < report.columns.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += "{\"name\":" + JsonString(report.columns[i].first) + ",\"type\":\"" +
            query::TableColumnTypeName(report.columns[i].second) + "\"}";
  }
  body += "],\"stored_bytes\":" + std::to_string(report.stored_bytes) +
          ",\"defined_at_ms\":" + std::to_string(report.defined_at_ms) + "}\n";
  return JsonResponse(std::move(body));
}

Response Router::HandlePutTargets(const Request& request) {
  if (backend_ == nullptr) return ErrorResponse(503, "this server has no store to define targets in");
  std::string encoding = MediaType(request.Header("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    return ErrorResponse(415, "send the targets as plain CSV (no Content-Encoding)");
  }
  query::TargetsLoadReport report;
  // No source name: errors read "line 7: ...", the line of the body.
  std::shared_ptr<const query::Schema> schema;
  Status s = backend_->LoadSchema(&schema);
  if (!s.ok()) return ErrorResponse(500, s.message());
  s = query::LoadTargetsCsv(backend_->Meta(), *schema, request.body, "", &report);
  if (!s.ok()) return CsvErrorResponse(s);
  std::string body = "{\"targets\":" + std::to_string(report.targets) + ",\"defined\":" +
                     std::to_string(report.defined) + ",\"redefined\":" + std::to_string(report.redefined) +
                     ",\"keys\":[";
  for (size_t i = 0; i < report.keys.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += JsonString(report.keys[i]);
  }
  body += "],\"defined_at_ms\":" + std::to_string(report.defined_at_ms) + "}\n";
  return JsonResponse(std::move(body));
}

Response Router::HandleMetrics() {
  if (store_ != nullptr) {
    std::unique_lock<std::mutex> lock(info_mu_, std::try_to_lock);
    // A scrape racing another one's refresh serves the previous values.
    if (lock.owns_lock()) {
      Clock::time_point now = Clock::now();
      if (info_refreshed_ == Clock::time_point{} || now - info_refreshed_ >= limits_.store_info_ttl) {
        storage::StoreInfo info;
        if (store_->GetInfo(&info).ok() && metrics_ != nullptr) metrics_->SetStoreGauges(info.disk_bytes, info.events);
        info_refreshed_ = now;
      }
    }
  }
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_ != nullptr ? metrics_->RenderPrometheus() : std::string();
  return r;
}

}  // namespace kpi::server
