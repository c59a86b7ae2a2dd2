// The trend clauses of a select (evaluation-and-trends.md section 7):
// `compare with previous [unit]` (compare.cc) and `by <bucket> rolling <n>`
// (rolling.cc). Both run the executor's scan and merge (ExecuteGroups) over
// a widened placement window and combine or join the groups before
// finishing the rows themselves.
//
// The engine binds the statement without its `order by` and `limit` (the
// result gains columns the binder does not know) and hands both here.
// Errors carry the position of the clause at fault.
// Thread safety: like ExecuteSelect.
#pragma once

#include <string>

#include "query/parser/ast.h"
#include "query/binder/bound_expr.h"
#include "query/engine.h"
#include "query/result.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::query::trends {

struct TrendError {
  std::string message;
  ast::SourcePos pos;
};

inline bool HasTrendClause(const ast::SelectQuery& q) { return q.compare.has_value() || q.rolling.has_value(); }

// Checks the trend clauses of `q` against its bound form: a unit compare
// knows, a time bucket or `during` to compare with, a rolling width of at
// least 1 over exactly one time bucket. False with *error.
bool CheckTrendClauses(const ast::SelectQuery& q, const BoundQuery& bound, TrendError* error);

// Runs `bound` (bound from `q` without order by / limit) with q's trend
// clause, then q's `order by` and `limit`.
Status ExecuteTrendSelect(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snapshot,
                          const ExecOptions& options, Result* out, TrendError* error);

// One line for `explain`.
std::string ExplainTrend(const ast::SelectQuery& q, const BoundQuery& bound);

// compare.cc / rolling.cc
Status RunCompare(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snapshot,
                  const ExecOptions& options, Result* out, TrendError* error);
Status RunRolling(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snapshot,
                  const ExecOptions& options, Result* out, TrendError* error);

}  // namespace kpi::query::trends
