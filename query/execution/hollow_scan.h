// Hollow scans: whether a select may read hollow segments (storage/
// segment_memo.h: a segment's ticket structure and the values derived from
// it, its columns decoded only on a memo miss), so that a warm repeat whose
// derived values are cached and whose decoded columns are not decodes
// nothing.
//
// The rule: every value the scan reads from a segment must come through the
// segment's memo (query/execution/ticket_memo.h Memoized, which decodes a
// hollow segment before it derives anything). That holds for ticket rows
// whose placement, `where`, group keys and aggregate arguments are each
// kept per ticket: expressions with a memo key (memo_keys.h: creation
// time, latest dimension values, measures, per-ticket functions and
// operators over them), constants, repeat_within (its answers come from the
// pre-pass) and operators over such expressions; buckets of the placement;
// `at` placements. Anything else (event rows, a scope, exemptions, cycles,
// nested selects, expressions without a key: joins, scalar
// functions, business calendars, ticket ids) reads columns directly and
// scans decoded segments as before, unless the statement keeps partial
// states (kept_states.h: then a repeat reads those alone, and a miss
// decodes the hollow segment before the scan). So does a segment read `as of` a batch
// older than some of its events, or holding corrections (both filtered
// copies).
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "query/backend/backend.h"
#include "query/binder/bound_expr.h"

namespace kpi::query {

// Whether the statement follows the rule above (always false under
// KPI_SEGMENT_MEMO=off).
bool HollowScanOk(const BoundQuery& q, const ExecOptions& options, uint32_t created_code);

}  // namespace kpi::query
