// RepeatIndex: for repeat_within(d, dims...), the creation times of every
// ticket by its (non-null) dimension codes, so each ticket asks "did another
// ticket with my dimension values start in [created - d, created)?" with one
// hash lookup and one binary search.
// Built by a pre-pass over the segments (time range extended by d before the
// query window, so earlier tickets outside the window count): Add() appends
// (key, time) pairs, per-thread indexes are merged, and Finish() lays the
// times out grouped by key (counting sort) and sorted within each key.
// Thread safety: Add/Merge/Finish on one thread; HasWithin is const and may
// run on many threads after Finish().
#pragma once

#include <cstdint>
#include <vector>

#include "query/group_table.h"

namespace kpi::query {

class RepeatIndex {
 public:
  explicit RepeatIndex(size_t dims);

  // `codes`: one non-zero dictionary code per dimension.
  void Add(const uint32_t* codes, int64_t created_ms);
  void Merge(const RepeatIndex& other);
  void Finish();
  // True if some ticket with these codes was created in [created_ms - window_ms, created_ms).
  bool HasWithin(const uint32_t* codes, int64_t created_ms, int64_t window_ms) const;

 private:
  // Up to two codes pack into one key part; more use one part each.
  size_t Pack(const uint32_t* codes, uint64_t* key) const;

  size_t dims_;
  GroupTable table_;
  std::vector<uint32_t> pair_group_;  // before Finish: one entry per Add
  std::vector<int64_t> pair_time_;
  std::vector<uint32_t> offsets_;  // after Finish: group g's times are times_[offsets_[g] .. offsets_[g + 1])
  std::vector<int64_t> times_;
};

}  // namespace kpi::query
