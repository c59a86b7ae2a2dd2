// Vectors over every row of a batch, kept for later batches (ticket_memo.h):
// SelectRows() reads one at the rows of a selection, OwnData() makes one
// hold its own data so that it outlives what it was computed from.
// Thread safety: operate on the caller's vectors.
#pragma once

#include <cstdint>

#include "query/execution/vector.h"

namespace kpi::query {

// `all` (n_all rows) at rows `sel[0..n)`, or a view of it when sel is null
// (then n = its rows). `out` views `all`'s data where it can (constants,
// every row), so `all` must outlive it.
void SelectRows(const Vec& all, const uint32_t* sel, uint32_t n, Vec* out);

// Copies into v's own buffers whatever v only views (a segment-derived
// column, a pool vector).
void OwnData(Vec* v);

}  // namespace kpi::query
