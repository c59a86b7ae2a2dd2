// Business-hours durations for the reference evaluator, by brute force
// (evaluation-and-trends.md, section 2): `duration(A -> B in CAL)`.
//
// Written from the contract, independently of query/evaluation/business_calendar:
// walk every local day the interval touches (one before and one after, for
// safety); a day that is not closed contributes, for every `open` group naming
// its weekday, each range [begin, end) mapped to instants with cctz
// `lookup(civil).pre` (a repeated local time is its first occurrence, a
// nonexistent one is read with the offset before the gap; `24:00` is the next
// local midnight); ranges that map to end <= begin are empty. All intervals are
// sorted and merged (so nothing counts twice) and intersected with the
// interval. Slow (a cctz lookup per range per day) and obviously right.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>

#include "query/parser/ast.h"

namespace kpi::reference {

// Seconds of [start_ms, end_ms] inside open hours; false with *error when the
// calendar's zone or a closed date does not read.
bool CalendarOpenSeconds(const query::ast::DefineCalendar& calendar, int64_t start_ms, int64_t end_ms,
                         double* seconds, std::string* error);

}  // namespace kpi::reference
