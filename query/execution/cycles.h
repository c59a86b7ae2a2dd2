// Reply cycles: aggregates over `cycles(A -> B)` (docs/query-language.md 16.6).
//
// A ticket's cycles, in its event order (time order; events of one
// millisecond: every A before every B, so a B at the instant of an A closes
// the cycle that A opened): a cycle starts at an A while none is open and
// ends at the next B, its value the elapsed time; A events while a cycle is
// open start nothing; a cycle still open at the ticket's last event is not
// counted.
// UpdateOverCycles expands a batch of selected tickets into their cycles
// (each keeps its ticket's group) and folds the aggregate's argument, a
// Value-row expression over the cycle's duration (AggregateSpec::cycles),
// into the aggregate's state. Every other aggregate runs over the tickets.
// Thread safety: per call; scratch is thread-local.
#pragma once

#include <cstdint>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/binder/bound_expr.h"
#include "query/execution/eval.h"

namespace kpi::storage {
struct Segment;
}

namespace kpi::query {

// Appends the cycle durations (ms) of the ticket whose events are
// [begin, end) of `time` / `code` (time order).
void TicketCycles(const int64_t* time, const uint32_t* code, uint32_t begin, uint32_t end, const CycleSpec& spec,
                  std::vector<int64_t>* out);

// `main`: the batch's selected rows (ticket indices of `seg`); `gids`: their
// groups (nullptr: all group 0).
void UpdateOverCycles(const AggregateSpec& spec, const storage::Segment& seg, const Selection& main,
                      const uint32_t* gids, uint32_t segment_ordinal, AggregateState* state);

}  // namespace kpi::query
