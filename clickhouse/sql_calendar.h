// Business-hours durations (`duration(A -> B in CAL)`) in ClickHouse SQL,
// with the local calendar's numbers (query/evaluation/business_calendar.h):
// the calendar's open intervals over the events' time range travel in the
// statement as array literals (starts, ends, open ms before each start), and
// the open ms before an instant t is
//     i = count of starts <= t;  0 when i = 0, else
//     open_before[i] + least(t, ends[i]) - starts[i]
// (relative to the range's first instant: durations are differences).
// A duration is (that at B - that at A) / 1000 seconds, as
// BusinessClock::OpenMsBetween gives locally.
//
//   CalendarArraysFor(clock, from, to)  the literals for instants in
//                                       [from, to]; false outside the
//                                       clock's precomputed years (1970-2199)
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "query/evaluation/business_calendar.h"

namespace kpi::clickhouse {

struct CalendarArrays {
  std::string starts, ends, open_before;  // Int64 array literals; "" when no open time in the range
};

bool CalendarArraysFor(const query::BusinessClock& clock, int64_t from_ms, int64_t to_ms, CalendarArrays* out);

// The open ms before instant `t` (SQL) given the arrays' aliases and an
// alias name for the interval index `i` (defined by the caller as `index_sql`).
std::string OpenIntervalIndexSql(const std::string& starts, const std::string& t);
std::string OpenMsBeforeSql(const std::string& starts, const std::string& ends, const std::string& open_before,
                            const std::string& index, const std::string& t);

}  // namespace kpi::clickhouse
