// NeededColumns: the segment columns a bound select reads, so the scan
// decodes only those (storage::SegmentColumns, Snapshot::Load). A cold
// `select count() from tickets` then decodes the ticket structure only;
// every contract KPI skips the ticket ids, id hashes, most dimensions and
// measures.
//
// Derived from every expression of the query (where, group keys, aggregate
// arguments, join keys, exemption predicates, items, having, walked from
// those roots) plus what the executor reads on its own: placement (creation time) for
// `during`, time buckets, `at` and exemption windows; batches for `as of`;
// the repeat_within and scope dimensions; times and events for cycles and
// per-ticket functions. A column read but not listed here aborts the
// process (storage::Segment::FindDim) rather than reading as null; the
// differential and case tests run every query shape through this.
// Thread safety: a pure function.
#pragma once

#include "query/binder/bound_expr.h"
#include "query/engine.h"
#include "storage/catalog.h"
#include "storage/segment.h"

namespace kpi::query {

// Whether the executor places the query's rows in time: tickets by their
// creation (or `at`) time, events by their own.
bool NeedsPlacement(const BoundQuery& q);

storage::SegmentColumns NeededColumns(const BoundQuery& q, const ExecOptions& options, const storage::Catalog& catalog);

}  // namespace kpi::query
