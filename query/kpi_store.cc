#include "query/kpi_store.h"

#include <charconv>
#include <variant>

#include "query/parser.h"
#include "storage/store.h"

namespace kpi::query {

std::string EncodeKpi(int64_t defined_at_ms, const std::string& expr_text) {
  return "kpi1\n" + std::to_string(defined_at_ms) + "\n" + expr_text;
}

bool DecodeKpi(const std::string& value, int64_t* defined_at_ms, std::string* expr_text) {
  if (value.rfind("kpi1\n", 0) != 0) return false;
  const size_t nl = value.find('\n', 5);
  if (nl == std::string::npos) return false;
  int64_t t = 0;
  auto r = std::from_chars(value.data() + 5, value.data() + nl, t);
  if (r.ec != std::errc() || r.ptr != value.data() + nl) return false;
  *defined_at_ms = t;
  *expr_text = value.substr(nl + 1);
  return true;
}

Status LoadKpis(const storage::Store& store, KpiMap* out, std::vector<std::string>* bad) {
  out->clear();
  std::vector<std::pair<std::string, std::string>> entries;
  KPI_RETURN_IF_ERROR(store.ListMeta(kKpiNamespace, &entries));
  for (const auto& [name, value] : entries) {
    KpiDefinition def;
    def.name = name;
    if (!DecodeKpi(value, &def.defined_at_ms, &def.text)) {
      if (bad) bad->push_back(name);
      continue;
    }
    ast::Statement st;
    ParseError err;
    if (!ParseStatement("define kpi " + name + " = " + def.text, &st, &err) ||
        !std::holds_alternative<ast::DefineKpi>(st)) {
      if (bad) bad->push_back(name);
      continue;
    }
    def.expr = std::get<ast::DefineKpi>(st).expr;
    (*out)[name] = std::move(def);
  }
  return Status::OK();
}

}  // namespace kpi::query
