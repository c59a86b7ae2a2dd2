// Relative `during` windows of the reference (see reference_relative.h).
#include "query/reference/reference_relative.h"

#include <cmath>
#include <memory>

#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;

// The start of the period after the one starting at `start`: one step
// longer than any period of the unit (DST included) and shorter than two,
// then back to that period's start.
bool NextStart(int64_t start, const std::string& unit, const cctz::time_zone& tz, int64_t* next) {
  if (unit == "hour") {
    *next = start + kHourMs;
    return true;
  }
  int64_t past = 0;
  if (unit == "day") past = 26 * kHourMs;
  else if (unit == "week") past = 7 * kDayMs + 2 * kHourMs;
  else if (unit == "month") past = 32 * kDayMs;
  else if (unit == "quarter") past = 93 * kDayMs;
  else if (unit == "year") past = 367 * kDayMs;
  else return false;
  return BucketStart(start + past, unit, tz, next);
}

// One level and those inside it; `zone`: the statement's zone for levels
// that name none (the first `tz` from the outside in, as nested selects read it).
bool ResolveLevel(query::ast::SelectQuery* q, const std::string& zone, int64_t now_ms, std::string* error) {
  if (q->subquery) {
    auto inner = std::make_shared<query::ast::SelectQuery>(*q->subquery);
    if (!ResolveLevel(inner.get(), zone, now_ms, error)) return false;
    q->subquery = inner;
  }
  if (!q->during_relative) return true;
  cctz::time_zone tz;
  if (!LoadZone(q->tz.value_or(zone), &tz)) {
    *error = "unknown zone";
    return false;
  }
  const query::ast::RelativeWindow& w = *q->during_relative;
  int64_t a = 0, b = 0;
  if (w.kind == query::ast::RelativeWindow::Kind::kLast) {
    a = now_ms - static_cast<int64_t>(std::llround(w.seconds * 1000));
    b = now_ms;
  } else {
    int64_t this_start = 0;
    if (!BucketStart(now_ms, w.unit, tz, &this_start) || w.unit == "minute") {
      *error = "unknown period " + w.unit;
      return false;
    }
    if (w.kind == query::ast::RelativeWindow::Kind::kThis) {
      a = this_start;
      if (!NextStart(this_start, w.unit, tz, &b)) return false;
    } else {
      if (!BucketStart(this_start - 1, w.unit, tz, &a)) return false;
      b = this_start;
    }
  }
  q->during_start = query::ast::TimeLiteral{FormatUtc(a), w.pos};
  q->during_end = query::ast::TimeLiteral{FormatUtc(b), w.pos};
  q->during_relative.reset();
  return true;
}

}  // namespace

bool ResolveRelativeDuring(query::ast::SelectQuery* q, int64_t now_ms, std::string* error) {
  bool relative = false;
  for (const query::ast::SelectQuery* s = q; s != nullptr; s = s->subquery.get()) relative |= s->during_relative.has_value();
  if (!relative) return true;  // nothing to read against now
  std::string zone = "UTC";
  for (const query::ast::SelectQuery* s = q; s != nullptr; s = s->subquery.get())
    if (s->tz) {
      zone = *s->tz;
      break;
    }
  if (q->as_of) {  // under `as of T` now is T
    cctz::time_zone tz;
    if (!LoadZone(q->tz.value_or(zone), &tz) || !ParseInstant(q->as_of->text, tz, &now_ms)) {
      *error = "bad as of";
      return false;
    }
  }
  return ResolveLevel(q, zone, now_ms, error);
}

}  // namespace kpi::reference
