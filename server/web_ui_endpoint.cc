// The web UI's endpoints (see server/web_ui_endpoint.h).
#include "server/web_ui_endpoint.h"

#include <zlib.h>

#include <charconv>
#include <map>
#include <mutex>

#include "query/catalog/meta_store.h"
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

// Whether an Accept-Encoding value takes gzip (a `gzip;q=0` refuses it).
bool AcceptsGzip(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (!EqualsIgnoreCase(coding, "gzip")) continue;
    if (semi == std::string_view::npos) return true;
    std::string_view q = item.substr(semi + 1);
    while (!q.empty() && q.front() == ' ') q.remove_prefix(1);
    return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000");
  }
  return false;
}

// The gzip form of an asset, compressed on first use and kept (assets are
// constant for the life of the process). Empty when compression fails.
const std::string& Gzipped(const web::Asset& asset) {
  static std::mutex mu;
  static std::map<std::string_view, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = cache.try_emplace(asset.path);
  if (!fresh) return it->second;
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return it->second;
  std::string out(deflateBound(&z, asset.body.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(asset.body.data()));
  z.avail_in = static_cast<uInt>(asset.body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc == Z_STREAM_END) it->second = std::move(out);
  return it->second;
}

}  // namespace

bool IsWebAssetPath(std::string_view path) { return path == "/" || path.substr(0, 4) == "/ui/"; }

Response ServeWebAsset(const Request& request, std::string_view path) {
  const web::Asset* asset = web::FindAsset(path);
  if (asset == nullptr) return ErrorResponse(404, "no such file: " + std::string(path));
  // Text over 1 KB goes gzip-compressed to clients that take it (ECharts:
  // 1.1 MB -> about a third); the two forms have their own ETag.
  const bool gzip = asset->body.size() > 1024 && AcceptsGzip(request.Header("Accept-Encoding")) &&
                    !Gzipped(*asset).empty();
  std::string etag(asset->etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  Response r;
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.content_type = std::string(asset->content_type);
  if (request.Header("If-None-Match") == etag) {
    r.status = 304;
    return r;
  }
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = Gzipped(*asset);
  } else {
    r.body = std::string(asset->body);
  }
  return r;
}

Response HandleComplete(const query::Backend* backend, const Target& target, const Grant& grant) {
  if (backend == nullptr) return ErrorResponse(503, "this server has no store to complete names from");
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
  std::vector<std::string> candidates =
      query::CompletionCandidates(query::CompletionVocabulary(*backend, Viewer(grant)), prefix, kMaxCandidates + 1);
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

Response HandleExemptions(const query::Backend* backend, const Grant& grant) {
  if (backend == nullptr) return ErrorResponse(503, "this server has no store");
  query::LoadedDefinitions defs;
  Status s = query::LoadAllDefinitions(backend->Meta(), std::nullopt, &defs, Viewer(grant), /*judging=*/true);
  if (!s.ok()) return ErrorResponse(500, s.message());
  Response r;
  r.body = "{\"exemptions\":" + query::ExemptionWindowsJson(defs.exemptions) + "}\n";
  return r;
}

}  // namespace kpi::server
