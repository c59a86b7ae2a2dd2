// ZoneMap: what a sealed segment may contain, kept apart from its data so a
// scan can skip segments without reading or decoding them.
// All sets are sorted ascending. A set of dimension codes is only kept for a
// dimension with at most kMaxZoneCodes distinct codes in the segment; a
// dimension absent from `dim_codes` may hold anything.
//
// Live counts (zone map version 2, store format 4): the tickets and events a
// reader sees at the segment's latest batch, i.e. without the rows
// corrections replaced or retracted (a ticket counts when one of its rows
// is visible). They let `count()` answer from metadata without reading the
// segment. `live_known` is false for zone maps written before them
// (version 1) and when a delta part made them unknowable cheaply; readers
// then read the segment.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace kpi::storage {

inline constexpr size_t kMaxZoneCodes = 64;

struct ZoneMap {
  int64_t min_time_ms = std::numeric_limits<int64_t>::max();  // over all events
  int64_t max_time_ms = std::numeric_limits<int64_t>::min();
  uint32_t num_tickets = 0;
  uint32_t num_events = 0;
  uint32_t min_batch = std::numeric_limits<uint32_t>::max();
  uint32_t max_batch = 0;
  uint64_t data_bytes = 0;  // encoded size of the segment value
  std::vector<uint32_t> event_codes;
  std::vector<uint32_t> agent_codes;  // 0 included when some event has no agent
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> dim_codes;  // (column, codes)
  bool live_known = false;
  uint32_t live_tickets = 0;  // when live_known: tickets with a row visible at max_batch
  uint32_t live_events = 0;   // when live_known: rows visible at max_batch

  // Version 2 (with the live counts); `version` 1 writes the layout of
  // stores of formats 1-3 (no live counts), for tests that build such stores.
  void Encode(std::string* out, uint8_t version = 2) const;
  static Status Decode(std::string_view in, ZoneMap* out);
};

}  // namespace kpi::storage
