// Time helpers of the reference evaluator and the query test runners:
// parsing the instants written in queries and test files, and calendar
// buckets in a time zone.
//
// Written independently of the engine (query/) and of storage/timestamp.h on
// purpose: the tests compare the engine against this code, so it must not
// share the engine's bugs. Calendar arithmetic is cctz's; everything else is
// plain string handling. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <cctz/time_zone.h>

namespace kpi::reference {

// Loads an IANA zone ("Europe/Berlin", "UTC"). False if unknown.
bool LoadZone(const std::string& name, cctz::time_zone* tz);

// Parses `YYYY-MM-DD` (midnight in `tz`) or `YYYY-MM-DD[T| ]hh:mm:ss[.f+]`
// with `Z` / `+hh:mm` / `-hh:mm` (absolute) or without a zone (wall clock
// in `tz`) into epoch milliseconds. Fractions beyond milliseconds are
// truncated. False on anything else.
bool ParseInstant(std::string_view text, const cctz::time_zone& tz, int64_t* epoch_ms);

// "2025-03-01T08:15:02.123Z" style, in UTC.
std::string FormatUtc(int64_t epoch_ms);
// The same instant as wall clock in `tz` with its offset: "2025-03-30T00:00:00+01:00".
std::string FormatInZone(int64_t epoch_ms, const cctz::time_zone& tz);

// Start (epoch ms) of the calendar bucket holding `epoch_ms` in `tz`.
// `unit`: hour, day, week (ISO, Monday), month, quarter, year.
// False for an unknown unit.
bool BucketStart(int64_t epoch_ms, std::string_view unit, const cctz::time_zone& tz, int64_t* start_ms);

// hour .. year, and minute, hour_of_day, weekday.
bool IsBucketName(std::string_view name);

// `by <duration>` (and `by minute`, step 60 s): local midnight of the
// instant's day plus whole steps of elapsed time.
int64_t StepStart(int64_t epoch_ms, int64_t step_ms, const cctz::time_zone& tz);
// hour_of_day (0-23, wall clock) and weekday (1 = Monday .. 7 = Sunday) in `tz`.
int LocalHour(int64_t epoch_ms, const cctz::time_zone& tz);
int IsoWeekday(int64_t epoch_ms, const cctz::time_zone& tz);

}  // namespace kpi::reference
