// Relative `during` windows (see query/binder/relative_window.h).
#include "query/binder/relative_window.h"

#include <cmath>

#include "query/time_buckets.h"

namespace kpi::query {

bool ResolveRelativeWindow(const ast::RelativeWindow& window, const cctz::time_zone& tz, int64_t now_ms,
                           int64_t* start, int64_t* end, std::string* why) {
  if (window.kind == ast::RelativeWindow::Kind::kLast) {
    *end = now_ms;
    *start = now_ms - static_cast<int64_t>(std::llround(window.seconds * 1000));
    return true;
  }
  BucketUnit unit;
  if (!ParseBucketUnit(window.unit, &unit) || unit == BucketUnit::kMinute || unit == BucketUnit::kStep ||
      IsCyclicUnit(unit)) {
    *why = "unknown period '" + window.unit + "': expected hour, day, week, month, quarter or year";
    return false;
  }
  TimeBucketer bucketer(tz, unit);
  const int64_t this_start = bucketer.Start(now_ms);
  if (window.kind == ast::RelativeWindow::Kind::kThis) {
    *start = this_start;
    *end = bucketer.End(this_start);
  } else {
    *start = bucketer.Start(this_start - 1);
    *end = this_start;
  }
  return true;
}

}  // namespace kpi::query
