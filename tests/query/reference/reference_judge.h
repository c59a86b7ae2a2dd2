// `evaluate` and `evaluate scorecard` in the reference evaluator
// (evaluation-and-trends.md, sections 3-6), written from the contract and
// sharing nothing with query/evaluation/judge.cc:
//   * the KPIs are computed per group by the reference's own select, with the
//     `exclude` exemptions leaving rows out (placement in [start, end) and
//     the predicate true, or no predicate);
//   * a target applies to a row when every dimension it names is a group
//     column with that value; of those, the ones naming the most dimensions
//     win, and two winners differing in op or value are an error;
//   * a relaxation applies when its window overlaps the row's span (its
//     first time bucket's whole length, else `during`, else all time) and its
//     equalities match as a target's would; the most lenient wins, equal
//     values go to the exemption defined first (`exemptions` order);
//   * met = value op target (a value of 0 under <= / < meets its target),
//     attainment value/target (>=, >) or target/value (<=, <), null on a
//     null operand or a zero divisor;
//   * scorecard: per KPI its value and <kpi>_attainment, then
//     score = 100 * sum(w * min(att, cap)), 0 under <= / < counted at cap,
//     null when any other attainment is null;
//   * rows in group order, then KPIs as listed; `order by` (nulls last either
//     way, stable) and `limit` after judging.
// Thread safety: pure function.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/reference/reference_evaluator.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::reference {

struct RefDefinitions {
  RefContext context;  // kpis, tables, calendars (exclusions are derived here)
  std::map<std::string, query::ast::DefineTarget> targets;       // by RefTargetKey
  std::vector<query::ast::DefineExemption> exemptions;           // in order of (re)definition
  std::map<std::string, query::ast::DefineScorecard> scorecards;
};

// "kpi" or "kpi where a = 1 and b = \"x\"" with the equalities sorted: two
// targets with the same key replace each other. Empty when `where` is not a
// conjunction of equalities.
std::string RefTargetKey(const std::string& kpi, const query::ast::ExprPtr& where);

Status EvaluateStatement(const EventLog& log, const query::ast::Evaluate& statement, const RefDefinitions& defs,
                         query::Result* out);

}  // namespace kpi::reference
