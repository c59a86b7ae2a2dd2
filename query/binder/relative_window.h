// Relative `during` windows (docs/query-language.md 4.3): `during last
// <duration>`, `during today`, `during this <period>`, `during previous
// <period>`, read against "now" in the query's zone.
//
//   last D          [now - D, now)
//   this P          the whole calendar period P holding now: [start, next start)
//   today           this day
//   previous P      the period P just before: [start of it, start of this P)
// P is hour, day, week (ISO, from Monday), month, quarter or year, cut in the
// zone as `by` buckets are (query/time_buckets.h), daylight-saving changes
// included.
// "Now" is the statement's `as of` instant when it has one, else the
// instant the engine runs it at (ExecOptions::now_ms, else the store's
// clock): the engine records it in the result's provenance so that
// `kpi audit verify` reads the same window again.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>

#include <cctz/time_zone.h>

#include "query/parser/ast.h"

namespace kpi::query {

// [*start, *end) of `window` at `now_ms`; false with *why for a period the
// parser would not have produced.
bool ResolveRelativeWindow(const ast::RelativeWindow& window, const cctz::time_zone& tz, int64_t now_ms,
                           int64_t* start, int64_t* end, std::string* why);

}  // namespace kpi::query
