// Canonical result text, result hash and the provenance JSON (see
// query/evaluation/provenance.h).
#include "query/evaluation/provenance.h"

#include <xxhash.h>

#include "query/value_json.h"

namespace kpi::query {

std::vector<std::string> CanonicalLines(const Result& result) {
  std::vector<std::string> lines;
  lines.reserve(result.rows.size() + 1);
  std::string header = "[";
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) header.push_back(',');
    AppendJsonString(&header, result.columns[c].name);
  }
  header.push_back(']');
  lines.push_back(std::move(header));
  JsonValueWriter writer(result.tz);
  for (const auto& row : result.rows) {
    std::string line;
    writer.AppendRow(&line, row, result.columns.size());
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string CanonicalResultText(const Result& result) {
  std::string text;
  for (const std::string& line : CanonicalLines(result)) {
    if (!text.empty()) text.push_back('\n');
    text += line;
  }
  return text;
}

std::string Xxh3Hex128(std::string_view bytes) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits(bytes.data(), bytes.size()));
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(32);
  for (unsigned char b : canonical.digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xF]);
  }
  return hex;
}

void StampResultHash(Result* result) { result->provenance.result_hash = Xxh3Hex128(CanonicalResultText(*result)); }

void StampProvenance(const std::map<std::string, int64_t>& used, int64_t as_of_ms, int64_t now_ms,
                     const std::vector<ResolvedWindow>& windows, std::string_view statement, Result* result) {
  Provenance& p = result->provenance;
  p.present = true;
  p.as_of_ms = as_of_ms;
  for (const auto& [key, version] : used) {
    const size_t colon = key.find(':');
    p.definitions.push_back(DefinitionRef{key.substr(0, colon), key.substr(colon + 1), version});
  }
  if (!windows.empty()) {
    p.now_ms = now_ms;
    p.windows = windows;
  }
  p.statement = std::string(statement);
  StampResultHash(result);
}

namespace {

// An instant as the provenance gives every one: `"NAME":"<RFC 3339, UTC>"`
// then `,"NAME_ms":<epoch ms>`.
void AppendInstant(std::string* out, const char* name, int64_t ms) {
  out->append("\"").append(name).append("\":");
  AppendJsonString(out, Rfc3339InZone(ms, "UTC"));
  out->append(",\"").append(name).append("_ms\":");
  out->append(std::to_string(ms));
}

}  // namespace

void AppendProvenanceJson(std::string* out, const Provenance& p) {
  out->push_back('{');
  AppendInstant(out, "as_of", p.as_of_ms);
  out->append(",\"definitions\":[");
  for (size_t i = 0; i < p.definitions.size(); ++i) {
    const DefinitionRef& d = p.definitions[i];
    if (i > 0) out->push_back(',');
    out->append("{\"kind\":");
    AppendJsonString(out, d.kind);
    out->append(",\"name\":");
    AppendJsonString(out, d.name);
    out->push_back(',');
    AppendInstant(out, "version", d.version_ms);
    out->push_back('}');
  }
  out->push_back(']');
  if (p.now_ms) {
    out->push_back(',');
    AppendInstant(out, "now", *p.now_ms);
    out->append(",\"windows\":[");
    for (size_t i = 0; i < p.windows.size(); ++i) {
      const ResolvedWindow& w = p.windows[i];
      if (i > 0) out->push_back(',');
      out->append("{\"during\":");
      AppendJsonString(out, w.during);
      out->append(",\"start\":");
      AppendJsonString(out, Rfc3339InZone(w.start_ms, "UTC"));
      out->append(",\"end\":");
      AppendJsonString(out, Rfc3339InZone(w.end_ms, "UTC"));
      out->push_back('}');
    }
    out->push_back(']');
  }
  out->append(",\"statement\":");
  AppendJsonString(out, p.statement);
  out->append(",\"result_hash\":");
  AppendJsonString(out, p.result_hash);
  out->push_back('}');
}

}  // namespace kpi::query
