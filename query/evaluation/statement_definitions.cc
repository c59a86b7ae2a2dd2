// Definitions around binding, shared by every backend (see query/evaluation/statement_definitions.h).
#include "query/evaluation/statement_definitions.h"

#include <algorithm>

#include "query/binder/suggest.h"
#include "query/catalog/table_store.h"
#include "query/kpi_store.h"
#include "query/evaluation/judge.h"
#include "query/parser/names.h"
#include "query/time_buckets.h"
#include "query/trends/trend_select.h"

namespace kpi::query {

Status FillBindContext(const MetaReader& store, const LoadedDefinitions& defs, const ast::SelectQuery& q,
                       BindContext* context) {
  context->kpis = &defs.kpis;
  for (const auto& [name, c] : defs.calendars) context->calendar_names.push_back(name);
  const auto* calendars = &defs.calendars;
  const auto* unreadable = &defs.unreadable;
  context->find_calendar = [calendars, unreadable](const std::string& name, CalendarRef* out, std::string* why) {
    auto it = calendars->find(name);
    if (it == calendars->end()) {
      // Stored but no longer reading is not "unknown": say why.
      for (const UnreadableDefinition& u : *unreadable)
        if (u.kind == "calendar" && u.name == name) *why = u.Describe();
      return false;
    }
    out->clock = ClockFor(it->second);
    out->version_ms = it->second.defined_at_ms;
    if (out->clock == nullptr) *why = "calendar '" + name + "' cannot be built";
    return out->clock != nullptr;
  };
  std::vector<ast::JoinClause> joins;  // of every level of a nested select
  for (const ast::SelectQuery* s = &q; s != nullptr; s = s->subquery.get())
    joins.insert(joins.end(), s->joins.begin(), s->joins.end());
  for (const ast::JoinClause& j : joins) {
    auto it = defs.tables.find(j.table);
    if (it == defs.tables.end()) continue;  // the binder names the unknown table
    TableRef ref;
    KPI_RETURN_IF_ERROR(LoadTable(store, it->second, &ref.table));
    ref.version_ms = it->second.defined_at_ms;
    context->tables[j.table] = ref;
  }
  return Status::OK();
}

Status LoadVisibleKpis(const MetaReader& store, const std::string* viewer, KpiMap* out) {
  DefinitionMap now;
  KPI_RETURN_IF_ERROR(LoadDefinitions(store, DefinitionKind::kKpi, &now));
  KeepVisible(&now, viewer);
  return ToKpis(now, out, nullptr);
}

std::string NotDefinedThen(const std::string& message, const KpiMap& then, const KpiMap& now, int64_t as_of_ms) {
  std::string note;
  for (const auto& [name, def] : now)
    if (!then.count(name) && message.find("'" + name + "'") != std::string::npos)
      note += " (kpi '" + name + "' was not defined as of " + FormatInstantUtc(as_of_ms) + ")";
  return note;
}

bool PlanEvaluate(const ast::Evaluate& ev, const LoadedDefinitions& defs, EvaluatePlan* plan,
                  EvaluateFailure* failure) {
  auto fail = [failure](const ast::SourcePos& pos, std::string message) {
    failure->pos = pos;
    failure->message = std::move(message);
    return false;
  };
  if (ev.query.source == "select" || ev.query.source == "watch")
    return fail(ev.query.source_pos, std::string("evaluate judges KPIs over events or tickets, not over ") +
                                         (ev.query.source == "watch" ? "a watch's history" : "a nested select"));
  if (trends::HasTrendClause(ev.query))
    return fail(ev.query.compare ? ev.query.compare->pos : ev.query.rolling_pos,
                "`compare with` and `rolling` are clauses of select, not of evaluate");
  // The KPIs to compute: those listed, or the scorecard's.
  *plan = EvaluatePlan{};
  // A stored definition this evaluation would use but that no longer reads.
  auto unreadable = [&defs](const std::string& kind, const std::string& name) -> const UnreadableDefinition* {
    for (const UnreadableDefinition& u : defs.unreadable)
      if (u.kind == kind && (kind == "target" ? u.name.substr(0, u.name.find(" where ")) : u.name) == name) return &u;
    return nullptr;
  };
  if (ev.scorecard) {
    auto it = defs.scorecards.find(ev.scorecard->name);
    if (const UnreadableDefinition* u = it == defs.scorecards.end() ? unreadable("scorecard", ev.scorecard->name) : nullptr)
      return fail(ev.scorecard->pos, u->Describe());
    if (it == defs.scorecards.end()) {
      std::vector<std::string> names;
      for (const auto& [name, sc] : defs.scorecards) names.push_back(name);
      return fail(ev.scorecard->pos,
                  "unknown scorecard '" + ev.scorecard->name + "'" + DidYouMean(ev.scorecard->name, names));
    }
    plan->scorecard = &it->second;
    for (const auto& [w, k] : plan->scorecard->terms) plan->kpis.push_back(k);
  } else {
    for (const ast::NamePos& k : ev.kpis) {
      if (!defs.kpis.count(k.name)) {
        std::vector<std::string> names;
        for (const auto& [name, def] : defs.kpis) names.push_back(name);
        return fail(k.pos, "unknown kpi '" + k.name + "'" + DidYouMean(k.name, names) +
                               " (evaluate takes KPIs defined with `define kpi`)");
      }
      plan->kpis.push_back(k.name);
    }
  }
  // A KPI judged without a target it has would pass or fail on the wrong
  // terms: fail, naming the target (for a scorecard, at its name).
  for (size_t i = 0; i < plan->kpis.size(); ++i)
    if (const UnreadableDefinition* u = unreadable("target", plan->kpis[i]))
      return fail(ev.scorecard ? ev.scorecard->pos : ev.kpis[i].pos,
                  "kpi '" + plan->kpis[i] + "' cannot be judged: " + u->Describe());
  // One select computes every KPI per group; exclusions leave rows out.
  plan->select = ev.query;
  plan->select.order_by.clear();
  plan->select.limit.reset();
  plan->select.items.clear();
  for (const std::string& k : plan->kpis) {
    auto e = std::make_shared<ast::Expr>();
    e->kind = ast::ExprKind::kColumn;
    e->text = k;
    e->pos = ev.pos;
    plan->select.items.push_back(ast::SelectItem{e, k, ev.pos});
  }
  for (const Exemption& x : defs.exemptions)
    if (x.exclude) plan->exclusions.push_back(ExclusionRef{x.name, x.start_ms, x.end_ms, x.where, x.defined_at_ms});
  for (const UnreadableDefinition& u : defs.unreadable)
    if (u.kind == "exemption") plan->warnings.push_back(u.Describe() + ": this evaluation is judged without it");
  return true;
}

bool JudgeEvaluation(const ast::Evaluate& ev, const EvaluatePlan& plan, const LoadedDefinitions& defs,
                     const BoundQuery& bound, const Result& values, Result* out, std::map<std::string, int64_t>* used,
                     EvaluateFailure* failure) {
  JudgeInput in;
  in.values = &values;
  in.num_groups = bound.groups.size();
  for (const GroupKey& g : bound.groups) {
    in.group_units.push_back(g.is_bucket ? std::optional<BucketUnit>(g.unit) : std::nullopt);
    in.group_steps.push_back(g.step_ms);
  }
  in.tz = bound.tz;
  in.during = bound.during;
  in.kpis = plan.kpis;
  in.scorecard = plan.scorecard;
  in.targets = &defs.targets;
  in.exemptions = &defs.exemptions;
  in.order_by = ev.query.order_by;
  in.limit = ev.query.limit;
  JudgeError jerr;
  if (Judge(in, out, used, &jerr)) {
    out->warnings.insert(out->warnings.end(), plan.warnings.begin(), plan.warnings.end());
    return true;
  }
  // Point at the offending order item, else at the KPI (or scorecard) judged.
  ast::SourcePos pos = ev.scorecard ? ev.scorecard->pos : ev.pos;
  for (const ast::NamePos& k : ev.kpis)
    if (k.name == jerr.kpi) pos = k.pos;
  failure->pos = jerr.pos.value_or(pos);
  failure->message = jerr.message;
  return false;
}

std::vector<std::string> JudgeNotes(const std::vector<std::string>& kpis, const BoundQuery& bound,
                                    const LoadedDefinitions& defs) {
  std::vector<std::string> notes;
  std::vector<std::string> groups;
  for (const GroupKey& g : bound.groups) groups.push_back(g.name);
  auto grouped = [&](const std::vector<GroupMatch>& where) {
    for (const GroupMatch& m : where)
      if (std::find(groups.begin(), groups.end(), m.dim) == groups.end()) return false;
    return true;
  };
  for (const std::string& k : kpis) {
    int n = 0;
    for (const TargetRule& t : defs.targets) {
      if (t.kpi != k) continue;
      ++n;
      notes.push_back("target: " + t.Describe() +
                      (grouped(t.where) ? "" : "  (never applies: names a dimension not in `by`)"));
    }
    if (n == 0) notes.push_back("target: none for kpi " + k + " (its rows have no target)");
  }
  for (const Exemption& x : defs.exemptions) {
    const bool overlaps = !bound.during || (x.start_ms < bound.during->second && bound.during->first < x.end_ms);
    std::string line = "exemption " + x.name + ": " + (x.exclude ? "exclude" : "relax") + " [" +
                       FormatInstantUtc(x.start_ms) + ", " + FormatInstantUtc(x.end_ms) + ")";
    if (!x.exclude) {
      bool relevant = false;
      for (const Relaxation& r : x.relax) relevant |= std::find(kpis.begin(), kpis.end(), r.kpi) != kpis.end();
      if (!relevant) continue;
      if (!grouped(x.match)) line += "  (never applies: names a dimension not in `by`)";
    }
    if (!overlaps) line += "  (outside `during`)";
    notes.push_back(line);
  }
  return notes;
}

std::vector<std::string> DefinitionWords(const MetaReader& store, const std::string* viewer) {
  std::vector<std::string> words;
  for (DefinitionKind kind : kAllDefinitionKinds) {
    if (kind == DefinitionKind::kTarget) continue;
    DefinitionMap defs;
    if (!LoadDefinitions(store, kind, &defs).ok()) continue;
    KeepVisible(&defs, viewer);
    for (const auto& [name, def] : defs) {
      words.push_back(name);
      if (kind != DefinitionKind::kTable) continue;
      std::shared_ptr<const LookupTable> table;
      if (LoadTable(store, def, &table).ok() && table)
        for (const auto& c : table->columns) words.push_back(name + "." + QuoteName(c.name));
    }
  }
  return words;
}

}  // namespace kpi::query
