// Executor: runs a bound select over a snapshot and builds the Result.
//
// Pipeline per segment (a batch), on `threads` workers pulling segments
// from a shared counter (query/parallel_scan.h):
//   load (through the snapshot's cache) -> `as of` view -> rows of the source
//   placed in time (tickets: creation or first `at` event; events: event
//   time) and cut to `during` -> `where` (query/eval.h) -> group ids (direct
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

#include "query/bound_expr.h"
#include "query/engine.h"
#include "query/plan.h"
#include "query/result.h"
#include "storage/status.h"
#include "storage/store.h"

namespace kpi::query {

Status ExecuteSelect(const BoundQuery& query, const storage::Snapshot& snapshot, const ScanPlan& plan,
                     const ExecOptions& options, Result* out);

}  // namespace kpi::query
