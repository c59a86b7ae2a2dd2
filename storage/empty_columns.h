// What a hollow segment (storage/segment_memo.h) is filled with when its
// decode fails: `columns` of the right lengths for the ticket structure
// `event_begin`, every value empty, so that what its reader derives before
// it sees the failed status stays in bounds. Used by the cache's hollow
// segments (storage/snapshot.cc) and those built from derived-value files
// (query/execution/disk_memo.cc).
// Thread safety: a pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/segment.h"

namespace kpi::storage {

Segment EmptyValuedColumns(const std::vector<uint32_t>& event_begin, const SegmentColumns& columns);

}  // namespace kpi::storage
