// Dashboard documents: checking and the stored form (see server/dashboard_spec.h).
#include "server/dashboard_spec.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>

#include "query/parser/parser.h"

namespace kpi::server {

namespace {

using nlohmann::json;

constexpr size_t kMaxTiles = 50;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxStatementBytes = 64 * 1024;
constexpr int kMaxRefreshSeconds = 86400;
constexpr const char* kChartKinds[] = {"auto", "table", "line", "bar", "evaluation", "number"};

bool Fail(DashboardSpecError* error, std::string field, const std::string& message) {
  error->message = field.empty() ? message : field + ": " + message;
  error->field = std::move(field);
  return false;
}

bool ReadTitle(const json& v, const std::string& field, std::string* out, DashboardSpecError* error) {
  if (!v.is_string()) return Fail(error, field, "must be a string");
  *out = v.get<std::string>();
  if (out->size() > kMaxTitleBytes)
    return Fail(error, field, "is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  return true;
}

bool ReadInt(const json& v, const std::string& field, int lo, int hi, int* out, DashboardSpecError* error) {
  const std::string range = "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!v.is_number()) return Fail(error, field, range);
  const double d = v.get<double>();
  if (d != std::floor(d) || d < lo || d > hi) return Fail(error, field, range);
  *out = static_cast<int>(d);
  return true;
}

// 30, "30s", "5m", "1h", 0 or "off".
bool ReadRefresh(const json& v, const std::string& field, int* seconds, DashboardSpecError* error) {
  const std::string rule = "must be seconds (a number) or \"<n>s\", \"<n>m\", \"<n>h\" (1 s to 1 day), or \"off\"";
  double s = 0;
  if (v.is_number()) {
    s = v.get<double>();
  } else if (v.is_string()) {
    const std::string text = v.get<std::string>();
    if (text == "off") {
      *seconds = 0;
      return true;
    }
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    if (digits == 0 || digits > 6 || digits + 1 != text.size()) return Fail(error, field, rule + " (got \"" + text + "\")");
    const double n = std::stod(text.substr(0, digits));
    switch (text.back()) {
      case 's': s = n; break;
      case 'm': s = n * 60; break;
      case 'h': s = n * 3600; break;
      default: return Fail(error, field, rule + " (got \"" + text + "\")");
    }
  } else {
    return Fail(error, field, rule);
  }
  if (s == 0) {
    *seconds = 0;
    return true;
  }
  if (s != std::floor(s) || s < 1 || s > kMaxRefreshSeconds) return Fail(error, field, rule);
  *seconds = static_cast<int>(s);
  return true;
}

bool ReadStatement(const json& v, const std::string& field, std::string* out, DashboardSpecError* error) {
  if (!v.is_string()) return Fail(error, field, "must be a string (the statement the tile runs)");
  *out = v.get<std::string>();
  if (out->size() > kMaxStatementBytes)
    return Fail(error, field, "is longer than " + std::to_string(kMaxStatementBytes) + " bytes");
  if (query::IsBlankScript(*out)) return Fail(error, field, "is empty");
  query::ast::Statement parsed;
  query::ParseError perr;
  if (!query::ParseStatement(*out, &parsed, &perr)) {
    error->line = perr.pos.line;
    error->column = perr.pos.column;
    return Fail(error, field,
                "line " + std::to_string(perr.pos.line) + ", column " + std::to_string(perr.pos.column) + ": " +
                    perr.message);
  }
  if (query::ClassifyStatement(*out) != query::StatementKind::kQuery)
    return Fail(error, field, "a tile only reads: select, evaluate, show or explain (define and drop are not allowed)");
  return true;
}

bool ReadTile(const json& v, const std::string& at, DashboardTile* tile, DashboardSpecError* error) {
  if (!v.is_object()) return Fail(error, at, "a tile must be an object with a \"statement\"");
  if (!v.contains("statement")) return Fail(error, at + ".statement", "is missing");
  for (const auto& [key, value] : v.items()) {
    const std::string field = at + "." + key;
    if (key == "statement") {
      if (!ReadStatement(value, field, &tile->statement, error)) return false;
    } else if (key == "title") {
      if (!ReadTitle(value, field, &tile->title, error)) return false;
    } else if (key == "chart") {
      if (!value.is_string()) return Fail(error, field, "must be a string");
      tile->chart = value.get<std::string>();
      bool known = false;
      for (const char* k : kChartKinds) known |= tile->chart == k;
      if (!known)
        return Fail(error, field,
                    "must be one of auto, table, line, bar, evaluation, number (got \"" + tile->chart + "\")");
    } else if (key == "refresh") {
      if (!ReadRefresh(value, field, &tile->refresh_seconds, error)) return false;
    } else if (key == "width") {
      if (!ReadInt(value, field, 1, 4, &tile->width, error)) return false;
    } else {
      return Fail(error, field, "unknown field (a tile has statement, title, chart, refresh, width)");
    }
  }
  return true;
}

}  // namespace

bool ParseDashboardSpec(std::string_view json_text, DashboardSpec* out, DashboardSpecError* error) {
  *out = DashboardSpec{};
  *error = DashboardSpecError{};
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Fail(error, "", "the body is not valid JSON");
  const json* tiles = &doc;
  if (doc.is_object()) {
    if (!doc.contains("tiles")) return Fail(error, "tiles", "is missing (a dashboard is a list of tiles)");
    for (const auto& [key, value] : doc.items()) {
      if (key == "tiles") {
        tiles = &value;
      } else if (key == "title") {
        if (!ReadTitle(value, "title", &out->title, error)) return false;
      } else if (key == "columns") {
        if (!ReadInt(value, "columns", 1, 6, &out->columns, error)) return false;
      } else {
        return Fail(error, key, "unknown field (a dashboard has title, columns, tiles)");
      }
    }
    if (!tiles->is_array()) return Fail(error, "tiles", "must be a list of tiles");
  } else if (!doc.is_array()) {
    return Fail(error, "", "a dashboard is a JSON list of tiles or an object with \"tiles\"");
  }
  if (tiles->empty()) return Fail(error, "tiles", "is empty (a dashboard has 1 to 50 tiles)");
  if (tiles->size() > kMaxTiles) return Fail(error, "tiles", "has more than 50 tiles");
  for (size_t i = 0; i < tiles->size(); ++i) {
    DashboardTile tile;
    if (!ReadTile((*tiles)[i], "tiles[" + std::to_string(i) + "]", &tile, error)) return false;
    out->tiles.push_back(std::move(tile));
  }
  return true;
}

std::string CanonicalDashboardJson(const DashboardSpec& spec) {
  json tiles = json::array();
  for (const DashboardTile& t : spec.tiles) {
    tiles.push_back(json{{"title", t.title},
                         {"statement", t.statement},
                         {"chart", t.chart},
                         {"refresh", t.refresh_seconds},
                         {"width", t.width}});
  }
  json doc = {{"title", spec.title}, {"columns", spec.columns}, {"tiles", std::move(tiles)}};
  // Invalid UTF-8 in a title would make dump() throw: replace it instead.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool IsDashboardName(std::string_view name) {
  if (name.empty() || name.size() > 128 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

}  // namespace kpi::server
