// ZoneMap: what a sealed segment may contain, kept apart from its data so a
// scan can skip segments without reading or decoding them.
// All sets are sorted ascending. A set of dimension codes is only kept for a
// dimension with at most kMaxZoneCodes distinct codes in the segment; a
// dimension absent from `dim_codes` may hold anything.
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

  void Encode(std::string* out) const;
  static Status Decode(std::string_view in, ZoneMap* out);
};

}  // namespace kpi::storage
