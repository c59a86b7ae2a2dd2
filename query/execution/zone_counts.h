// Counts from zone maps: `select count() from tickets` (or events) answered
// from each segment's live counts (storage/zone_map.h) without reading it.
//
// The rule: a statement whose rows are every visible ticket (event) of the
// store, and whose every aggregate is `count()`, counts per segment the
// rows FilterSegmentAsOf would keep, which for a segment with no batch past
// the `as of` are its live counts. So such a segment adds its live count
// and is never loaded; a segment without live counts (written before them,
// or after a delta part made them unknown) or holding batches past the
// `as of` is read as any other statement reads it. Anything that selects
// rows (where, during, at, exemptions, a scope), groups them or joins
// leaves the statement on the ordinary path.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "query/backend/backend.h"
#include "query/binder/bound_expr.h"
#include "storage/store.h"

namespace kpi::query {

// Whether the statement's rows and aggregates follow the rule above.
bool CountsFromZoneMaps(const BoundQuery& q, const ExecOptions& options);

// The rows of `ref` such a statement counts, when its zone map says
// (nullopt: read the segment). `max_batch`: the last batch read
// (ScanPlan::max_batch: the `as of` batch, else the snapshot's last).
std::optional<uint32_t> ZoneCount(const storage::SegmentRef& ref, Source source, std::optional<uint32_t> max_batch);

}  // namespace kpi::query
