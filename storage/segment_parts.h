// Delta parts of a segment: how small seals avoid re-encoding big segments.
//
// A segment (partition p, number s) is its base value at SegmentKey(p, s)
// plus `deltas` delta values at DeltaKey(p, s, 1..deltas) in the same column
// family. A delta is an ordinary encoded segment holding only events a later
// seal appended: new events of tickets already in the segment, and tickets
// new to it. Its tickets are sorted like any segment's, its events too.
//
// The contract, which the sealer keeps and segment_parts_test checks: a
// segment and its deltas decode (MergeSegmentParts) to exactly the Segment a
// full rewrite by that seal would have written (same tickets, same order,
// same rows). So everything downstream of Snapshot::Load is unaware of them.
// The sealer only appends a delta when that holds trivially: no ticket left
// the segment, no earlier row changed (a correction marking a sealed copy
// dead rewrites), and every event of the delta is new. Otherwise, or when the
// deltas grow past a share of the base (storage/sealer.h), it folds the parts
// into a new base and deletes the deltas in the same write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "storage/segment.h"
#include "storage/store.h"
#include "storage/status.h"

namespace kpi::storage {

// [partition u32][segment u32][delta u32], big-endian; delta >= 1.
std::string DeltaKey(uint32_t partition, uint32_t segment, uint32_t delta);
// True for a delta key; the base's coordinates and the delta number out.
bool ParseDeltaKey(std::string_view key, uint32_t* partition, uint32_t* segment, uint32_t* delta);

// The zones column family's value for a segment: [generation u64][zone
// map] when it has no deltas; [generation | 1<<63][deltas u32][delta events
// u32][zone map] when it has (only stores of format 2 hold those).
void EncodeZoneValue(const SegmentRef& ref, std::string* out);
Status DecodeZoneValue(std::string_view in, SegmentRef* ref);

// Merges a base and its deltas (each decoded with every column) into the
// segment a full rewrite would hold. `created_code`: the catalog's code of
// the `created` event (0 when none), for ticket placement.
Status MergeSegmentParts(const std::vector<Segment>& parts, uint32_t created_code, Segment* out);

// Reads segment (partition, segment) with its `deltas` delta parts through
// `ro` and merges them (every column decoded; with no deltas, the base
// alone). Errors name the segment and the part.
Status ReadMergedSegment(rocksdb::DB* db, const rocksdb::ReadOptions& ro, rocksdb::ColumnFamilyHandle* segments,
                         uint32_t partition, uint32_t segment, uint32_t deltas, uint32_t created_code, Segment* out);

}  // namespace kpi::storage
