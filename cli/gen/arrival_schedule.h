// ArrivalSchedule: creation times of the generated tickets.
//
// Spreads `tickets` creations over [start_ms, start_ms + days) following an
// hourly intensity: a business-hours daily profile (UTC), a weekend dip, a
// little day-to-day noise and a few promotion-peak days, all derived from
// the seed. Ticket i is placed at the (i + u_i) / tickets quantile of that
// intensity (u_i a per-ticket random offset), so creation times are
// non-decreasing in i and exactly `tickets` fall in the range.
// Requires options that pass Validate. Not thread-safe (walks a cursor).
#pragma once

#include <cstdint>
#include <vector>

#include "cli/gen/generator.h"

namespace kpi::gen {

class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(const GenOptions& options);

  // Creation time of ticket `index` (0-based). Calls must come with
  // non-decreasing indexes.
  int64_t CreatedMs(uint64_t index);

 private:
  uint64_t seed_;
  uint64_t tickets_;
  int64_t start_ms_;
  std::vector<double> cumulative_;  // cumulative_[h] = weight of hours [0, h)
  size_t hour_ = 0;                 // cursor: the hour of the last answer
};

}  // namespace kpi::gen
