// Shared pieces of the trend operators (query/trends/): turning combined
// group states into finalized rows, lookups by group key, and the finish
// every select does (having, default order, `order by`, `limit`), which the
// trend operators run themselves because their results gain columns
// (x_prev, x_change) the binder does not know.
// Thread safety: pure functions over the caller's data.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/binder/bound_expr.h"
#include "query/execution/executor.h"
#include "query/result.h"
#include "query/trends/trend_select.h"
#include "storage/status.h"

namespace kpi::query::trends {

// One group, finalized: its key values, aggregate values and select items.
struct FinalRow {
  std::vector<Value> keys, aggs, items;
};

// Evaluates q's select items over row->keys and row->aggs into row->items.
void EvalItems(const BoundQuery& q, FinalRow* row);

// One scan of `compare with`: the groups of `q` (a WithWindow copy of the
// bound statement) with their keys and aggregate values (items are left to
// the caller); with `rows_only`, only groups holding rows (a select without
// `by` otherwise has one group even when empty). The local engine scans its
// snapshot (compare.cc); another backend runs its own statement.
using GroupScan =
    std::function<Status(const BoundQuery& q, bool rows_only, std::vector<FinalRow>* rows, ExecStats* stats)>;

// `compare with previous [unit]` over `bound` (bound without order by /
// limit) with the scans of `scan`, then q's `order by` and `limit`: the one
// implementation of the clause for every backend (compare.cc).
Status CompareWith(const ast::SelectQuery& q, const BoundQuery& bound, const GroupScan& scan,
                   const ExecOptions& options, Result* out, TrendError* error);

// Orders key tuples with CompareForSort per position (equal values are one key).
struct KeyLess {
  bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const;
};
template <typename T>
using KeyMap = std::map<std::vector<Value>, T, KeyLess>;

// Whether `having` keeps the row (true without one).
bool Kept(const BoundQuery& q, const FinalRow& row);

// The time bucket of `by` (a calendar bucket or step, not a cyclic group),
// or -1; *count is how many there are.
int TimeBucketIndex(const BoundQuery& q, int* count);

// Sorts out->rows by their first `nkeys` columns ascending (nulls last),
// then by q's `order by` (names of out->columns, a stable sort), cuts to
// q's `limit` and checks the row limit. An unknown order name fails with
// its position in *error.
Status FinishRows(const ast::SelectQuery& q, size_t nkeys, const ExecOptions& options, Result* out,
                  TrendError* error);

// A copy of `q` reading the placement window [begin, end) (`during`
// replaced), with no having / order / limit. Its nodes stay `q`'s, so `q`
// must outlive the copy.
BoundQuery WithWindow(const BoundQuery& q, std::optional<std::pair<int64_t, int64_t>> window);

}  // namespace kpi::query::trends
