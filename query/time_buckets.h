// Time zones, query instants and calendar buckets.
//
// LoadQueryZone() resolves an IANA name ("Europe/Berlin", "UTC").
// ParseQueryInstant() reads the instants a query may write: a date
// `YYYY-MM-DD` (midnight in the query's zone), `YYYY-MM-DDThh:mm:ss[.fff]`
// with `Z` or `+hh:mm` (absolute) or without a zone (wall clock in the query's
// zone). A wall clock the zone skips (spring forward) maps to the transition;
// one it repeats maps to the later instant.
//
// TimeBucketer maps epoch milliseconds to the start (epoch ms) of the
// calendar bucket holding it in a zone: hour, day, week (ISO, Monday), month,
// quarter, year. Buckets follow the zone's calendar, DST included: a day is
// 23 or 25 hours long on change days, an hour is always a real hour (a
// repeated wall-clock hour gives two buckets). It memoizes UTC offsets per
// UTC hour and bucket starts per local day, so bucketing millions of rows
// costs a few cache lookups each, not a cctz call each.
//
// Thread safety: the free functions are pure. A TimeBucketer is NOT
// thread-safe (its caches mutate); give each worker thread its own.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <cctz/time_zone.h>

namespace kpi::query {

// Calendar buckets (a bucket's start is an instant), steps (`by minute`,
// `by 15m`: local midnight plus whole steps of elapsed time, the day's last
// step ending at the next local midnight) and cyclic groups (`hour_of_day`
// 0-23, `weekday` 1 = Monday .. 7 = Sunday: numbers, not instants).
enum class BucketUnit : uint8_t { kHour, kDay, kWeek, kMonth, kQuarter, kYear, kMinute, kStep, kHourOfDay, kWeekday };

inline bool IsCyclicUnit(BucketUnit u) { return u == BucketUnit::kHourOfDay || u == BucketUnit::kWeekday; }

// "minute", "hour" .. "year", "hour_of_day", "weekday" -> unit; false for anything else.
bool ParseBucketUnit(std::string_view name, BucketUnit* unit);
const char* BucketUnitName(BucketUnit unit);

// Loads an IANA zone; "UTC" always works. False if the name is unknown.
bool LoadQueryZone(const std::string& name, cctz::time_zone* tz);

// See the file comment. On failure returns false and sets *error.
bool ParseQueryInstant(std::string_view text, const cctz::time_zone& tz, int64_t* epoch_ms, std::string* error);

// "2025-03-01T08:15:02.123Z".
std::string FormatInstantUtc(int64_t epoch_ms);

class TimeBucketer {
 public:
  // `step_ms`: the step of kStep (a divisor of a day); ignored otherwise.
  TimeBucketer(const cctz::time_zone& tz, BucketUnit unit, int64_t step_ms = 0);

  // Start of the bucket holding `epoch_ms`; for cyclic units, the group's
  // number (hour of day 0-23, ISO weekday 1-7).
  int64_t Start(int64_t epoch_ms);
  // End (the next bucket's start) of the bucket starting at `start`; not
  // for cyclic units.
  int64_t End(int64_t start);
  // out[i] = Start(in[i]); `out` may alias `in`.
  void StartMany(const int64_t* in, size_t n, int64_t* out);

  BucketUnit unit() const { return unit_; }

 private:
  struct HourEntry {
    int64_t hour = INT64_MIN;  // floor(epoch_s / 3600)
    int32_t offset = 0;        // seconds east of UTC over the whole hour
    bool mixed = false;        // a transition inside the hour: ask cctz
  };
  struct DayEntry {
    int64_t local_day = INT64_MIN;  // days since 1970-01-01 in the zone's calendar
    int64_t pre_s = 0, post_s = 0;  // start of the bucket holding that day
  };

  int32_t OffsetAt(int64_t epoch_s);
  int64_t DayBucketStart(int64_t epoch_s, int64_t local_day);
  void FillDay(int64_t local_day, DayEntry* e) const;

  cctz::time_zone tz_;
  BucketUnit unit_;
  int64_t step_ms_ = 0;
  bool fixed_ = false;       // the zone never changes offset
  int32_t fixed_offset_ = 0;
  static constexpr size_t kHourSlots = 1024, kDaySlots = 1024;
  std::array<HourEntry, kHourSlots> hours_{};
  std::array<DayEntry, kDaySlots> days_{};
};

}  // namespace kpi::query
