// Executor: runs a bound select over a snapshot and builds the Result.
//
// Pipeline per segment (a batch), on `threads` workers pulling segments
// from a shared counter (query/execution/parallel_scan.h):
//   load (through the snapshot's cache) -> `as of` view -> rows of the source
//   placed in time (tickets: creation or first `at` event; events: event
//   time) and cut to `during` -> `where` (query/execution/eval.h) -> group ids (direct
//   array for one small dictionary key, hash table otherwise) -> aggregate
//   updates into the worker's partial states.
// repeat_within first runs a pre-pass building its index (repeat_index.h).
// At the end the workers' groups and states are combined on one thread,
// finalized, the select items and `having` evaluated per group, and rows
// sorted (group columns ascending, nulls last; then `order by`) and cut to
// `limit`. Without `by` there is exactly one row.
//
// Thread safety: ExecuteSelect may run concurrently with other queries and
// with ingest; it only reads the snapshot.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "query/binder/bound_expr.h"
#include "query/engine.h"
#include "query/planner/plan.h"
#include "query/result.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::query {

Status ExecuteSelect(const BoundQuery& query, const storage::Snapshot& snapshot, const ScanPlan& plan,
                     const ExecOptions& options, Result* out);

// The end of every select: a stable sort of the result rows by `order by`
// (nulls last either way), the cut to `limit`, and ResourceExhausted past
// `max_rows`.
Status OrderAndLimit(const std::vector<OrderKey>& order, std::optional<int64_t> limit, size_t max_rows,
                     std::vector<std::vector<Value>>* rows);

class AggregateState;

// The scan and merge of ExecuteSelect without the finish: every group's key
// values and, per aggregate of the query, the combined partial states of
// all groups (group g of `aggs[j]` is keys[g]). For the trend operators
// (query/trends/), which combine groups before finalizing. `stats` has the
// scan's counters (elapsed_ms not set).
struct GroupStates {
  std::vector<std::vector<Value>> keys;
  std::vector<std::unique_ptr<AggregateState>> aggs;
  ExecStats stats;
};
Status ExecuteGroups(const BoundQuery& query, const storage::Snapshot& snapshot, const ScanPlan& plan,
                     const ExecOptions& options, GroupStates* out);

}  // namespace kpi::query
