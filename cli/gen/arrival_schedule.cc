#include "cli/gen/arrival_schedule.h"

#include "cli/gen/random.h"

namespace kpi::gen {

namespace {

constexpr int64_t kHourMs = 3600000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr uint64_t kDayNoiseStream = 11;
constexpr uint64_t kArrivalStream = 12;

// Relative contact volume by UTC hour: night trough, business-hours peak
// with a lunch dip, a long evening tail.
constexpr double kHourProfile[24] = {0.15, 0.10, 0.08, 0.07, 0.08, 0.12, 0.25, 0.50,
                                     0.85, 1.00, 1.00, 0.95, 0.80, 0.90, 1.00, 0.95,
                                     0.85, 0.70, 0.55, 0.50, 0.45, 0.40, 0.30, 0.20};
// Sunday first (1970-01-01 was a Thursday).
constexpr double kWeekdayProfile[7] = {0.45, 1.10, 1.00, 1.00, 1.00, 0.95, 0.55};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

ArrivalSchedule::ArrivalSchedule(const GenOptions& options)
    : seed_(options.seed), tickets_(options.tickets), start_ms_(options.start_ms) {
  const size_t hours = static_cast<size_t>(options.days) * 24;
  cumulative_.resize(hours + 1);
  cumulative_[0] = 0;
  int64_t noise_day = -1;
  double day_factor = 1;
  for (size_t h = 0; h < hours; ++h) {
    const int64_t slot_ms = start_ms_ + static_cast<int64_t>(h) * kHourMs;
    const int64_t day = FloorDiv(slot_ms, kDayMs);
    if (day != noise_day) {
      noise_day = day;
      const uint64_t bits = HashKey(seed_, kDayNoiseStream, static_cast<uint64_t>(day));
      day_factor = 0.85 + 0.30 * UnitFromBits(bits);
      if ((bits & 63) == 0) day_factor *= 1.8;  // ~1.5 % promotion-peak days
    }
    const int hour_of_day = static_cast<int>((slot_ms - day * kDayMs) / kHourMs);
    const int weekday = static_cast<int>(((day % 7) + 7 + 4) % 7);
    cumulative_[h + 1] =
        cumulative_[h] + kHourProfile[hour_of_day] * kWeekdayProfile[weekday] * day_factor;
  }
}

int64_t ArrivalSchedule::CreatedMs(uint64_t index) {
  const size_t hours = cumulative_.size() - 1;
  const double u = UnitFromBits(HashKey(seed_, kArrivalStream, index));
  const double q =
      (static_cast<double>(index) + u) / static_cast<double>(tickets_) * cumulative_[hours];
  while (hour_ + 1 < hours && cumulative_[hour_ + 1] <= q) ++hour_;
  const double width = cumulative_[hour_ + 1] - cumulative_[hour_];
  double fraction = width > 0 ? (q - cumulative_[hour_]) / width : 0;
  if (fraction < 0) fraction = 0;
  int64_t offset = static_cast<int64_t>(fraction * kHourMs);
  if (offset >= kHourMs) offset = kHourMs - 1;
  return start_ms_ + static_cast<int64_t>(hour_) * kHourMs + offset;
}

}  // namespace kpi::gen
