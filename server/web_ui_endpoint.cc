// The web UI's endpoints (see server/web_ui_endpoint.h).
#include "server/web_ui_endpoint.h"

#include <charconv>

#include "query/completion.h"
#include "query/engine.h"
#include "query/evaluation/definitions.h"
#include "query/evaluation/exemption_json.h"
#include "server/json_text.h"
#include "web/assets.h"

namespace kpi::server {

namespace {

constexpr size_t kMaxCandidates = 100;
// ECharts sets inline styles on the elements it creates: style-src needs
// 'unsafe-inline'; scripts come only from the server.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

const std::string* Viewer(const Grant& grant) { return grant.scope ? &grant.scope->text() : nullptr; }

}  // namespace

bool IsWebAssetPath(std::string_view path) { return path == "/" || path.substr(0, 4) == "/ui/"; }

Response ServeWebAsset(const Request& request, std::string_view path) {
  const web::Asset* asset = web::FindAsset(path);
  if (asset == nullptr) return ErrorResponse(404, "no such file: " + std::string(path));
  Response r;
  r.headers.emplace_back("ETag", std::string(asset->etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.content_type = std::string(asset->content_type);
  if (request.Header("If-None-Match") == asset->etag) {
    r.status = 304;
    return r;
  }
  r.body = std::string(asset->body);
  return r;
}

Response HandleComplete(storage::Store* store, const Target& target, const Grant& grant) {
  if (store == nullptr) return ErrorResponse(503, "this server has no store to complete names from");
  const std::string* q = target.Param("q");
  if (q == nullptr) return ErrorResponse(400, "missing parameter q (the statement text)");
  size_t cursor = q->size();
  if (const std::string* c = target.Param("cursor")) {
    auto r = std::from_chars(c->data(), c->data() + c->size(), cursor);
    if (c->empty() || r.ec != std::errc() || r.ptr != c->data() + c->size() || cursor > q->size())
      return ErrorResponse(400, "cursor must be a byte offset within q");
  }
  const size_t from = query::CompletionWordStart(*q, cursor);
  const std::string prefix = q->substr(from, cursor - from);
  const query::Engine engine(store);
  std::vector<std::string> candidates =
      query::CompletionCandidates(query::CompletionVocabulary(engine, Viewer(grant)), prefix, kMaxCandidates + 1);
  const bool more = candidates.size() > kMaxCandidates;
  if (more) candidates.pop_back();
  Response r;
  r.body = "{\"from\":" + std::to_string(from) + ",\"prefix\":" + JsonString(prefix) + ",\"candidates\":[";
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i > 0) r.body.push_back(',');
    AppendJsonString(&r.body, candidates[i]);
  }
  r.body += std::string("],\"more\":") + (more ? "true" : "false") + "}\n";
  return r;
}

Response HandleExemptions(storage::Store* store, const Grant& grant) {
  if (store == nullptr) return ErrorResponse(503, "this server has no store");
  query::LoadedDefinitions defs;
  Status s = query::LoadAllDefinitions(*store, std::nullopt, &defs, Viewer(grant), /*judging=*/true);
  if (!s.ok()) return ErrorResponse(500, s.message());
  Response r;
  r.body = "{\"exemptions\":" + query::ExemptionWindowsJson(defs.exemptions) + "}\n";
  return r;
}

}  // namespace kpi::server
