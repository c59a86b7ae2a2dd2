// The reference evaluator's trend clauses (evaluation-and-trends.md
// section 7), written plainly on top of Evaluate(): every previous period and
// every rolling window is a fresh evaluation of the statement over its own
// `during` window, row at a time, with nothing carried between windows.
//   * compare with previous [unit]: with a time bucket, per current row the
//     statement runs again over the previous bucket (the bucket holding
//     start - 1 ms, or start shifted back one calendar unit, day clamped to
//     the month's end) and the row with the same other keys is its previous
//     row; without a bucket, once over the shifted `during`. x_prev and
//     x_change = x - x_prev follow every item that holds an aggregate.
//   * by <bucket> rolling <n>: per shown bucket b, the statement without the
//     bucket in `by` runs over [start of the bucket n - 1 before b, end of b).
// Shares nothing with query/ beyond the AST and Result. Thread safety: pure.
#pragma once

#include "query/parser/ast.h"
#include "query/reference/reference_evaluator.h"
#include "query/result.h"
#include "storage/status.h"

namespace kpi::reference {

Status EvaluateTrend(const EventLog& log, const query::ast::SelectQuery& query, const RefContext& context,
                     const ReferenceOptions& options, query::Result* out);

}  // namespace kpi::reference
