#include "query/kpi_store.h"

#include <charconv>
#include <cstdio>
#include <map>
#include <set>
#include <variant>

#include "query/parser.h"
#include "storage/store.h"

namespace kpi::query {

namespace {

constexpr std::string_view kDefinedTag = "kpi1\n", kDroppedTag = "kpi1-dropped\n";

std::string HistoryKey(const std::string& name, int64_t at_ms) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(at_ms));
  return name + "\n" + hex;
}

bool ParseMs(std::string_view text, int64_t* ms) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), *ms);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

// A stored definition (EncodeKpi's form) of KPI `name` into *def; false when
// it does not decode or its text no longer parses.
bool ReadDefinition(const std::string& name, const std::string& value, KpiDefinition* def) {
  int64_t defined_at_ms = 0;
  std::string text;
  if (!DecodeKpi(value, &defined_at_ms, &text)) return false;
  ast::Statement st;
  ParseError err;
  if (!ParseStatement("define kpi " + name + " = " + text, &st, &err) || !std::holds_alternative<ast::DefineKpi>(st))
    return false;
  def->name = name;
  def->text = std::move(text);
  def->defined_at_ms = defined_at_ms;
  def->expr = std::get<ast::DefineKpi>(st).expr;
  return true;
}

}  // namespace

std::string EncodeKpi(int64_t defined_at_ms, const std::string& expr_text) {
  return std::string(kDefinedTag) + std::to_string(defined_at_ms) + "\n" + expr_text;
}

bool DecodeKpi(const std::string& value, int64_t* defined_at_ms, std::string* expr_text) {
  if (value.rfind(kDefinedTag, 0) != 0) return false;
  const size_t nl = value.find('\n', kDefinedTag.size());
  if (nl == std::string::npos) return false;
  int64_t t = 0;
  if (!ParseMs(std::string_view(value).substr(kDefinedTag.size(), nl - kDefinedTag.size()), &t)) return false;
  *defined_at_ms = t;
  *expr_text = value.substr(nl + 1);
  return true;
}

Status SaveKpi(storage::Store* store, const std::string& name, const std::string& expr_text, int64_t at_ms) {
  const std::string value = EncodeKpi(at_ms, expr_text);
  return store->WriteMeta({{kKpiNamespace, name, value}, {kKpiHistoryNamespace, HistoryKey(name, at_ms), value}});
}

Status DropKpi(storage::Store* store, const std::string& name, int64_t at_ms) {
  return store->WriteMeta({{kKpiNamespace, name, std::nullopt},
                           {kKpiHistoryNamespace, HistoryKey(name, at_ms),
                            std::string(kDroppedTag) + std::to_string(at_ms)}});
}

Status LoadKpis(const storage::Store& store, KpiMap* out, std::vector<std::string>* bad) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(kKpiNamespace, &entries));
  for (const auto& [name, value] : entries) {
    KpiDefinition def;
    if (!ReadDefinition(name, value, &def)) {
      if (bad) bad->push_back(name);
      continue;
    }
    (*out)[name] = std::move(def);
  }
  return Status::OK();
}

Status LoadKpisAsOf(const storage::Store& store, int64_t as_of_ms, const KpiMap& current, KpiMap* out,
                    std::vector<std::string>* bad) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> history;
  KPI_RETURN_IF_ERROR(store.ListMeta(kKpiHistoryNamespace, &history));
  // Keys sort by name, then instant: the last entry at or before as_of wins.
  std::map<std::string, const std::string*> latest;  // name -> value
  std::set<std::string> with_history;
  for (const auto& [key, value] : history) {
    const size_t nl = key.rfind('\n');
    if (nl == std::string::npos) continue;
    int64_t at = 0;
    auto r = std::from_chars(key.data() + nl + 1, key.data() + key.size(), at, 16);
    if (r.ec != std::errc() || r.ptr != key.data() + key.size()) continue;
    std::string name = key.substr(0, nl);
    if (at <= as_of_ms) latest[name] = &value;
    with_history.insert(std::move(name));
  }
  for (const auto& [name, value] : latest) {
    if (value->rfind(kDroppedTag, 0) == 0) continue;
    KpiDefinition def;
    if (!ReadDefinition(name, *value, &def)) {
      if (bad) bad->push_back(name);
      continue;
    }
    (*out)[name] = std::move(def);
  }
  // Definitions older than the history: they count from their defined_at.
  for (const auto& [name, def] : current)
    if (!with_history.count(name) && def.defined_at_ms <= as_of_ms) (*out)[name] = def;
  return Status::OK();
}

}  // namespace kpi::query
