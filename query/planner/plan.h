// Planner: what of a bound query can be pushed into the storage scan
// (storage::ScanSpec, pruned with zone maps), and the text of `explain`.
//
// Pushed (all of them only ever skip segments that cannot hold a matching
// row; the executor still evaluates every predicate):
//   * the time range: `during` (placement of tickets / time of events is an
//     event time) and top-level comparisons of `time` (events) or `created`
//     (tickets placed by creation) with timestamps;
//   * top-level `event = "x"` / `event in (...)` (events), `has(x)` and
//     `at x` (tickets): the segment must hold the event;
//   * top-level `agent = ...` / `in` (events) and `<dim> = ...` / `in`;
//   * `as of`: segments whose events are all newer are skipped.
// A pushed equality with a value the dictionary has never seen makes the
// plan `impossible`: nothing is scanned.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/binder/bound_expr.h"
#include "storage/store.h"

namespace kpi::query {

struct ScanPlan {
  storage::ScanSpec spec;
  bool impossible = false;           // a pushed filter can never match
  std::optional<uint32_t> max_batch;  // the last batch read: `as of`'s, else the snapshot's last
  std::vector<std::string> pushed;   // what was pushed, for explain
};

ScanPlan BuildScanPlan(const BoundQuery& q, const storage::Snapshot& snapshot);

// The scan of the repeat_within pre-pass: every ticket created up to
// `window_ms` before the query window (all of them when the window is not
// known in creation time, e.g. with `at`).
storage::ScanSpec RepeatScanSpec(const BoundQuery& q, const ScanPlan& plan, int64_t window_ms);

// Lines of `explain`.
std::vector<std::string> ExplainLines(const BoundQuery& q, const ScanPlan& plan, const storage::PlanStats& stats,
                                      int threads);

}  // namespace kpi::query
