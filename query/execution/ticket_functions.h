// Per-ticket functions (duration, count_of, has, first, last, agent_of,
// total, repeat_within) evaluated over the event slices of the selected
// tickets of one segment, column at a time.
//
// Semantics (query-language.md; events of a ticket are sorted by time):
//   duration(A -> B)      ms from the first A to the first B with time >= it
//                         (0 allowed); null if either is missing
//   count_of(A)           number of A events
//   count_of(A before B)  A events with time < the first B (all if no B)
//   has(A)                whether an A event exists
//   first(A) / last(A)    time of the first / last A; null if none
//   agent_of(A)           agent of the first A (null if none or no agent)
//   total(m)              sum of m over the ticket's events (null if none)
//   repeat_within(d, ...) answered by the pre-pass (repeat_index.h): the
//                         batch's answers per repeat spec, null if missing
// Where a time is asked of the event name `created` (duration, first, last,
// the B of before), it means the ticket's creation time.
// Over a cached segment, a function whose value depends on the segment and
// its arguments only (memo_keys.h) is computed over every ticket once and
// kept with the segment (ticket_memo.h); later calls select from it.
// Thread safety: operates on one worker's SegmentRows and Vec.
#pragma once

#include <cstdint>
#include <vector>

#include "query/binder/bound_expr.h"
#include "query/execution/segment_rows.h"
#include "query/execution/vector.h"

namespace kpi::query {

// `sel`: ticket indices (nullptr: tickets 0..n-1). Fills `out` with n rows.
void EvalTicketFunction(const BoundExpr& fn, SegmentRows& rows, const uint32_t* sel, uint32_t n,
                        const std::vector<const std::vector<uint8_t>*>* repeat_answers, Vec* out);

}  // namespace kpi::query
