#include "query/reference/reference_replay.h"

#include <algorithm>

#include "query/parser/parser.h"
#include "query/reference/reference_table.h"
#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace {

namespace ast = query::ast;

void EraseExemption(std::vector<ast::DefineExemption>* xs, const std::string& name) {
  xs->erase(std::remove_if(xs->begin(), xs->end(), [&](const ast::DefineExemption& y) { return y.name.name == name; }),
            xs->end());
}

}  // namespace

bool ReplayDefinitions(const std::vector<RefHistoryEntry>& history, std::optional<int64_t> as_of_ms,
                       RefDefinitions* out, std::string* error) {
  RefDefinitions defs;
  for (const RefHistoryEntry& d : history) {
    if (as_of_ms && d.at_ms > *as_of_ms) continue;
    if (!d.table.empty()) {
      RefTable t;
      if (!RefTableFromCsv(d.csv, d.key, &t, error)) {
        *error = "table " + d.table + ": " + *error;
        return false;
      }
      defs.context.tables[d.table] = std::move(t);
      continue;
    }
    ast::Statement st;
    query::ParseError perr;
    if (!query::ParseStatement(d.statement, &st, &perr)) continue;
    if (auto* k = std::get_if<ast::DefineKpi>(&st)) defs.context.kpis[k->name] = k->expr;
    if (auto* k = std::get_if<ast::DropKpi>(&st)) defs.context.kpis.erase(k->name);
    if (auto* c = std::get_if<ast::DefineCalendar>(&st)) defs.context.calendars[c->name.name] = *c;
    if (auto* t = std::get_if<ast::DefineTarget>(&st)) defs.targets[RefTargetKey(t->kpi.name, t->where)] = *t;
    if (auto* t = std::get_if<ast::DropTarget>(&st)) defs.targets.erase(RefTargetKey(t->kpi.name, t->where));
    if (auto* x = std::get_if<ast::DefineExemption>(&st)) {
      EraseExemption(&defs.exemptions, x->name.name);
      defs.exemptions.push_back(*x);
    }
    if (auto* c = std::get_if<ast::DefineScorecard>(&st)) defs.scorecards[c->name.name] = *c;
    if (auto* n = std::get_if<ast::DropNamed>(&st)) {
      if (n->kind == "table") defs.context.tables.erase(n->name.name);
      if (n->kind == "calendar") defs.context.calendars.erase(n->name.name);
      if (n->kind == "scorecard") defs.scorecards.erase(n->name.name);
      if (n->kind == "exemption") EraseExemption(&defs.exemptions, n->name.name);
    }
  }
  *out = std::move(defs);
  return true;
}

std::optional<int64_t> AsOfMs(const ast::SelectQuery& query) {
  if (!query.as_of) return std::nullopt;
  cctz::time_zone tz;
  int64_t ms = 0;
  if (LoadZone(query.tz.value_or("UTC"), &tz) && ParseInstant(query.as_of->text, tz, &ms)) return ms;
  return std::nullopt;
}

}  // namespace kpi::reference
