// What a scan keeps with a cached segment besides row columns and filters
// (ticket_memo.h; the keys come from memo_keys.h):
//   * AtPlacements: per ticket the time of its first (or last) event A and
//     whether it has one, and the tickets that have one (`at A`);
//   * KeptBucketStarts: per ticket the start of the bucket holding its
//     placement;
//   * KeptLocalGroups: for main rows that depend on the segment only, each
//     row's segment-local group, each local group's key parts and first
//     row; a query maps the few local groups to its own groups.
// Each returns what the segment's memo holds, or derives it (into the
// memo when it has room); null / the scratch otherwise.
// Thread safety: as ticket_memo.h; scratch values are the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "query/time_buckets.h"
#include "storage/segment.h"

namespace kpi::query {

struct AtPlacement {
  std::vector<int64_t> place;  // per ticket; 0 without an A
  std::vector<uint8_t> found;  // per ticket
  std::vector<uint32_t> rows;  // the tickets that have an A
};
// `key`: AtMemoKey (memo_keys.h). Kept, or derived into *scratch.
const AtPlacement& AtPlacements(const storage::Segment& seg, const std::string& key, uint32_t code, bool last,
                                AtPlacement* scratch);

// `place`: every ticket's placement; `key`: BucketMemoKey. Null when the
// memo has no room (the caller buckets its rows itself).
const int64_t* KeptBucketStarts(const storage::Segment& seg, const std::string& key, const int64_t* place,
                                TimeBucketer* bucketer);

struct LocalGroups {
  std::vector<uint32_t> local;  // per main row
  std::vector<uint64_t> parts;  // per local group, k parts
  std::vector<uint32_t> first;  // per local group, its first main row
};
// `n` main rows, `k` key parts each: compute() derives them, then part(j,
// i) reads part j of row i. Null when the memo has no room.
const LocalGroups* KeptLocalGroups(const storage::Segment& seg, const std::string& key, uint32_t n, size_t k,
                                   const std::function<void()>& compute,
                                   const std::function<uint64_t(size_t, uint32_t)>& part);

}  // namespace kpi::query
