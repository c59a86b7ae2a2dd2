// Calendar arithmetic of the trend operators (`compare with previous`,
// `rolling`): shifting an instant back by one calendar unit in the query's
// zone, and walking buckets backwards.
//
// ShiftBack() moves the local wall clock of an instant back by one day,
// week (7 days), month, quarter (3 months) or year, keeping the time of day;
// a day of month past the shorter month's end clamps to its last day
// (2024-02-29 minus a year is 2023-02-28, 2025-03-31 minus a month is
// 2025-02-28). A wall clock the zone skips maps to the transition, one it
// repeats to the earlier instant.
// PreviousBucket() is the bucket immediately before the bucket starting at
// `start`: the bucket holding start - 1 ms; BucketsBack() k of them back.
// Thread safety: pure functions (a TimeBucketer is the caller's).
#pragma once

#include <cstdint>
#include <string_view>

#include <cctz/time_zone.h>

#include "query/time_buckets.h"

namespace kpi::query::trends {

enum class ShiftUnit : uint8_t { kDay, kWeek, kMonth, kQuarter, kYear };

// "day", "week", "month", "quarter", "year" (any case) -> unit.
bool ParseShiftUnit(std::string_view name, ShiftUnit* unit);
const char* ShiftUnitName(ShiftUnit unit);

int64_t ShiftBack(int64_t epoch_ms, ShiftUnit unit, const cctz::time_zone& tz);

inline int64_t PreviousBucket(TimeBucketer& bucketer, int64_t start) { return bucketer.Start(start - 1); }

// The bucket up to `k` buckets before the one starting at `start`
// (PreviousBucket k times); *stepped: the steps taken. Stops at the bucket
// holding 1970-01-01 (ingest refuses earlier events, so a `rolling` window
// reaching further holds nothing more) and after max_steps + 1 steps (the
// caller refuses more buckets than max_steps): `rolling 99999999999` used to
// step through every bucket and never end.
int64_t BucketsBack(TimeBucketer& bucketer, int64_t start, size_t k, size_t max_steps, size_t* stepped);

}  // namespace kpi::query::trends
