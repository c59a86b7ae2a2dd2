// What every backend does with the definitions around binding a statement
// (query/engine.cc for the local store, clickhouse/clickhouse_backend.cc
// for a cluster), so named KPIs, calendars, lookup tables and `evaluate`
// follow one set of rules whatever holds the data:
//
//   FillBindContext   the binder's view of the definitions loaded for the
//                     statement (LoadAllDefinitions): named KPIs, calendars
//                     (`in CAL`, clocks built on use) and the lookup tables
//                     the statement joins at any nesting level, their data
//                     read through `store`. `defs` must outlive `context`.
//   LoadVisibleKpis   the KPIs defined now that `viewer` sees (for `as of`)
//   NotDefinedThen    under `as of T`, what a bind error naming a KPI
//                     defined now but not at T adds: " (kpi 'x' was not
//                     defined as of T)"; "" otherwise
//   PlanEvaluate      checks an `evaluate` (its source, the KPIs or the
//                     scorecard it names) and builds the one select that
//                     computes every KPI per group, with the exclusions to
//                     bind (exemptions that exclude). A stored definition
//                     that no longer reads (LoadedDefinitions::unreadable)
//                     and would judge it fails it: the scorecard named, or a
//                     target of a KPI judged (the target's KPI is its name
//                     up to " where"); an exemption, which may apply to any
//                     row, is a warning on the result (plan->warnings)
//   JudgeEvaluation   judges that select's values (query/evaluation/judge.h)
//                     into the evaluate result (warnings: the values', then
//                     the plan's); errors point at the order
//                     item, else the KPI judged, else the statement
//   JudgeNotes        `explain evaluate`'s lines: the targets and exemptions
//                     that can judge the rows
//   DefinitionWords   completion's words (Backend::CompletionWords): the name
//                     of every definition `viewer` sees but targets, and the
//                     lookup tables' columns as TABLE.column
// Thread safety: pure functions (FillBindContext reads the store).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "query/binder/binder.h"
#include "query/catalog/meta_store.h"
#include "query/evaluation/definitions.h"
#include "query/parser/ast.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::query {

Status FillBindContext(const MetaReader& store, const LoadedDefinitions& defs, const ast::SelectQuery& q,
                       BindContext* context);

Status LoadVisibleKpis(const MetaReader& store, const std::string* viewer, KpiMap* out);
std::string NotDefinedThen(const std::string& message, const KpiMap& then, const KpiMap& now, int64_t as_of_ms);

struct EvaluatePlan {
  std::vector<std::string> kpis;        // computed, in this order
  const Scorecard* scorecard = nullptr;  // into the LoadedDefinitions
  ast::SelectQuery select;               // group keys as written, one item per KPI, no order or limit
  std::vector<ExclusionRef> exclusions;  // for BindContext::exclusions
  std::vector<std::string> warnings;     // for the result: exemptions that no longer read
};

struct EvaluateFailure {
  ast::SourcePos pos;
  std::string message;
};

bool PlanEvaluate(const ast::Evaluate& ev, const LoadedDefinitions& defs, EvaluatePlan* plan,
                  EvaluateFailure* failure);

// `values`: the plan's select run; *used gets what judged the rows (targets,
// exemptions, the scorecard) besides what it held.
bool JudgeEvaluation(const ast::Evaluate& ev, const EvaluatePlan& plan, const LoadedDefinitions& defs,
                     const BoundQuery& bound, const Result& values, Result* out, std::map<std::string, int64_t>* used,
                     EvaluateFailure* failure);

std::vector<std::string> JudgeNotes(const std::vector<std::string>& kpis, const BoundQuery& bound,
                                    const LoadedDefinitions& defs);

std::vector<std::string> DefinitionWords(const MetaReader& store, const std::string* viewer);

}  // namespace kpi::query
