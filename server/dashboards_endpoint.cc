// The dashboards endpoints (see server/dashboards_endpoint.h).
#include "server/dashboards_endpoint.h"

#include <nlohmann/json.hpp>

#include <charconv>

#include "query/backend/backend.h"
#include "query/catalog/definition_store.h"
#include "server/dashboard_spec.h"
#include "server/json_text.h"
#include "server/result_render.h"

namespace kpi::server {

namespace {

using nlohmann::json;
using query::DefinitionKind;

constexpr std::string_view kVersionsSuffix = "/versions";

Response Json(std::string body) {
  Response r;
  r.body = std::move(body);
  r.body.push_back('\n');
  return r;
}

std::string VersionFields(int64_t at_ms) {
  return "\"version\":" + JsonString(FormatTimeInZone(at_ms, "UTC")) + ",\"version_ms\":" + std::to_string(at_ms);
}

const std::string* Viewer(const Grant& grant) { return grant.scope ? &grant.scope->text() : nullptr; }

// The stored text's fields, spliced into an answer ("\"title\":...,\"tiles\":[...]").
std::string SpecFields(const std::string& stored) {
  // The stored text is an object we wrote: drop its braces.
  return stored.size() >= 2 ? stored.substr(1, stored.size() - 2) : std::string();
}

Response List(const query::MetaWriter& store, const Grant& grant) {
  query::DefinitionMap defs;
  Status s = query::LoadDefinitions(store, DefinitionKind::kDashboard, &defs);
  if (!s.ok()) return ErrorResponse(500, s.message());
  query::KeepVisible(&defs, Viewer(grant));
  std::string body = "{\"dashboards\":[";
  bool first = true;
  for (const auto& [name, def] : defs) {
    json doc = json::parse(def.text, nullptr, false);
    if (!first) body.push_back(',');
    first = false;
    const std::string title = doc.is_object() && doc.contains("title") && doc["title"].is_string()
                                  ? doc["title"].get<std::string>()
                                  : std::string();
    const size_t tiles = doc.is_object() && doc.contains("tiles") && doc["tiles"].is_array() ? doc["tiles"].size() : 0;
    body += "{\"name\":" + JsonString(name) + ",\"title\":" + JsonString(title) +
            ",\"tiles\":" + std::to_string(tiles) + "," + VersionFields(def.defined_at_ms) + "}";
  }
  return Json(body + "]}");
}

Response Versions(const query::MetaWriter& store, const std::string& name, const Grant& grant) {
  std::vector<query::DefinitionVersion> history;
  Status s = query::LoadDefinitionHistory(store, DefinitionKind::kDashboard, name, &history);
  if (!s.ok()) return ErrorResponse(500, s.message());
  std::string body = "{\"name\":" + JsonString(name) + ",\"versions\":[";
  bool any = false;
  for (const query::DefinitionVersion& v : history) {
    if (!v.dropped && !query::VisibleTo(v.definition, Viewer(grant))) continue;
    if (any) body.push_back(',');
    any = true;
    body += "{" + VersionFields(v.at_ms) + ",\"dropped\":" + (v.dropped ? "true" : "false") + "}";
  }
  if (!any) return ErrorResponse(404, "no dashboard named " + name);
  return Json(body + "]}");
}

Response GetOne(const query::MetaWriter& store, const std::string& name, const Target& target, const Grant& grant) {
  query::StoredDefinition found;
  bool have = false;
  if (const std::string* version = target.Param("version")) {
    int64_t ms = 0;
    auto r = std::from_chars(version->data(), version->data() + version->size(), ms);
    if (version->empty() || r.ec != std::errc() || r.ptr != version->data() + version->size())
      return ErrorResponse(400, "version must be a version_ms (epoch milliseconds) from .../versions");
    std::vector<query::DefinitionVersion> history;
    Status s = query::LoadDefinitionHistory(store, DefinitionKind::kDashboard, name, &history);
    if (!s.ok()) return ErrorResponse(500, s.message());
    for (const query::DefinitionVersion& v : history) {
      if (v.at_ms == ms && !v.dropped && query::VisibleTo(v.definition, Viewer(grant))) {
        found = v.definition;
        found.defined_at_ms = v.at_ms;
        have = true;
      }
    }
    if (!have) return ErrorResponse(404, "dashboard " + name + " has no version " + *version);
  } else {
    query::DefinitionMap defs;
    Status s = query::LoadDefinitions(store, DefinitionKind::kDashboard, &defs);
    if (!s.ok()) return ErrorResponse(500, s.message());
    auto it = defs.find(name);
    if (it != defs.end() && query::VisibleTo(it->second, Viewer(grant))) {
      found = it->second;
      have = true;
    }
    if (!have) return ErrorResponse(404, "no dashboard named " + name);
  }
  return Json("{\"name\":" + JsonString(name) + "," + VersionFields(found.defined_at_ms) + "," +
              SpecFields(found.text) + "}");
}

// A scoped admin may change only its scope's own dashboards.
Response CheckOwner(const query::StoredDefinition& existing, const Grant& grant) {
  Response ok;
  ok.status = 0;
  if (!grant.scope || existing.owner == grant.scope->text()) return ok;
  if (existing.owner.empty())
    return ErrorResponse(403, "dashboard '" + existing.name +
                                  "' is shared by every scope: this token is scoped (" + grant.scope->text() +
                                  ") and may change only its scope's own dashboards");
  return ErrorResponse(403, "the name of dashboard '" + existing.name + "' is taken by another scope's dashboard");
}

Response Put(const query::MetaWriter& store, const std::string& name, const Request& request, const Grant& grant) {
  DashboardSpec spec;
  DashboardSpecError error;
  if (!ParseDashboardSpec(request.body, &spec, &error)) {
    Response r;
    r.status = 400;
    r.body = "{\"error\":{\"message\":" + JsonString(error.message) + ",\"field\":" + JsonString(error.field);
    if (error.line > 0)
      r.body += ",\"line\":" + std::to_string(error.line) + ",\"column\":" + std::to_string(error.column);
    r.body += "}}\n";
    return r;
  }
  query::DefinitionMap defs;
  Status s = query::LoadDefinitions(store, DefinitionKind::kDashboard, &defs);
  if (!s.ok()) return ErrorResponse(500, s.message());
  auto it = defs.find(name);
  std::string owner = grant.scope ? grant.scope->text() : std::string();
  if (it != defs.end()) {
    Response denied = CheckOwner(it->second, grant);
    if (denied.status != 0) return denied;
    owner = it->second.owner;  // an unscoped admin's redefinition keeps the owner
  }
  const int64_t at = store.NowMs();
  s = query::SaveDefinition(store, DefinitionKind::kDashboard, name, CanonicalDashboardJson(spec), at, {}, owner);
  if (!s.ok()) return ErrorResponse(500, s.message());
  const std::string verb = it != defs.end() ? "redefined" : "defined";
  return Json("{\"name\":" + JsonString(name) + "," + VersionFields(at) + ",\"tiles\":" +
              std::to_string(spec.tiles.size()) + ",\"message\":" + JsonString("dashboard " + name + " " + verb) + "}");
}

Response Delete(const query::MetaWriter& store, const std::string& name, const Grant& grant) {
  query::DefinitionMap defs;
  Status s = query::LoadDefinitions(store, DefinitionKind::kDashboard, &defs);
  if (!s.ok()) return ErrorResponse(500, s.message());
  auto it = defs.find(name);
  if (it == defs.end() || !query::VisibleTo(it->second, Viewer(grant)))
    return ErrorResponse(404, "no dashboard named " + name);
  Response denied = CheckOwner(it->second, grant);
  if (denied.status != 0) return denied;
  s = query::DropDefinition(store, DefinitionKind::kDashboard, name, store.NowMs());
  if (!s.ok()) return ErrorResponse(500, s.message());
  return Json("{\"name\":" + JsonString(name) + ",\"message\":" + JsonString("dashboard " + name + " dropped") + "}");
}

}  // namespace

Response HandleDashboards(const query::Backend* backend, const Request& request, const Target& target,
                          const Grant& grant) {
  if (backend == nullptr) return ErrorResponse(503, "this server has no store to keep dashboards in");
  const query::MetaWriter store = backend->Meta();
  if (target.path == kDashboardsPath) return List(store, grant);
  std::string name = target.path.substr(kDashboardsPath.size() + 1);
  const bool versions = name.size() > kVersionsSuffix.size() &&
                        name.compare(name.size() - kVersionsSuffix.size(), kVersionsSuffix.size(), kVersionsSuffix) == 0;
  if (versions) name.resize(name.size() - kVersionsSuffix.size());
  if (!IsDashboardName(name))
    return ErrorResponse(400, "a dashboard name is 1-128 letters, digits, '_' or '-', starting with a letter or digit");
  if (versions) return Versions(store, name, grant);
  if (request.method == "GET") return GetOne(store, name, target, grant);
  if (request.method == "PUT") return Put(store, name, request, grant);
  return Delete(store, name, grant);
}

}  // namespace kpi::server
