#include "query/kpi_store.h"

#include <charconv>
#include <cstdio>
#include <map>
#include <set>
#include <variant>

#include "query/catalog/definition_store.h"
#include "query/parser/parser.h"
#include "storage/store.h"

namespace kpi::query {

namespace {

// A stored KPI definition into *def; false when its text no longer parses.
bool ReadDefinition(const StoredDefinition& stored, KpiDefinition* def) {
  ast::Statement st;
  ParseError err;
  if (!ParseStatement("define kpi " + stored.name + " = " + stored.text, &st, &err) ||
      !std::holds_alternative<ast::DefineKpi>(st))
    return false;
  def->name = stored.name;
  def->text = stored.text;
  def->defined_at_ms = stored.defined_at_ms;
  def->expr = std::get<ast::DefineKpi>(st).expr;
  return true;
}

}  // namespace

Status ToKpis(const DefinitionMap& stored, KpiMap* out, std::vector<std::string>* bad) {
  out->clear();
  for (const auto& [name, s] : stored) {
    KpiDefinition def;
    if (!ReadDefinition(s, &def)) {
      if (bad) bad->push_back(name);
      continue;
    }
    (*out)[name] = std::move(def);
  }
  return Status::OK();
}

Status SaveKpi(const MetaWriter& store, const std::string& name, const std::string& expr_text, int64_t at_ms,
               const std::string& owner) {
  return SaveDefinition(store, DefinitionKind::kKpi, name, expr_text, at_ms, {}, owner);
}

Status DropKpi(const MetaWriter& store, const std::string& name, int64_t at_ms) {
  return DropDefinition(store, DefinitionKind::kKpi, name, at_ms);
}

Status LoadKpis(const MetaReader& store, KpiMap* out, std::vector<std::string>* bad) {
  DefinitionMap stored;
  KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kKpi, &stored, bad));
  return ToKpis(stored, out, bad);
}

Status LoadKpisAsOf(const MetaReader& store, int64_t as_of_ms, const KpiMap& /*current*/, KpiMap* out,
                    std::vector<std::string>* bad) {
  DefinitionMap stored;
  KPI_RETURN_IF_ERROR(LoadDefinitionsAsOf(store, DefinitionKind::kKpi, as_of_ms, &stored, bad));
  return ToKpis(stored, out, bad);
}

}  // namespace kpi::query
