#include "query/reference/reference_calendar.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include <cctz/civil_time.h>

#include "query/reference/reference_time.h"

namespace kpi::reference {

namespace {

bool ReadDay(const std::string& text, cctz::civil_day* out) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return false;
  *out = cctz::civil_day(y, m, d);
  return out->year() == y && out->month() == m && out->day() == d;
}

// The instant (ms) of local wall-clock `minute` on `day`; 1440 is the next midnight.
int64_t LocalInstantMs(cctz::civil_day day, int minute, const cctz::time_zone& tz) {
  if (minute == 1440) {
    day += 1;
    minute = 0;
  }
  const cctz::civil_second cs(day.year(), day.month(), day.day(), minute / 60, minute % 60, 0);
  const auto tp = tz.lookup(cs).pre;
  return static_cast<int64_t>(tp.time_since_epoch().count()) * 1000;
}

cctz::civil_day LocalDayOf(int64_t ms, const cctz::time_zone& tz) {
  int64_t s = ms / 1000 - ((ms % 1000 != 0) && ms < 0);
  const cctz::time_point<cctz::seconds> tp{cctz::seconds(s)};
  return cctz::civil_day(tz.lookup(tp).cs);
}

}  // namespace

bool CalendarOpenSeconds(const query::ast::DefineCalendar& calendar, int64_t start_ms, int64_t end_ms,
                         double* seconds, std::string* error) {
  cctz::time_zone tz;
  if (!LoadZone(calendar.tz, &tz)) {
    *error = "calendar '" + calendar.name.name + "': unknown zone '" + calendar.tz + "'";
    return false;
  }
  std::vector<std::pair<cctz::civil_day, cctz::civil_day>> closed;  // [first, end)
  for (const query::ast::CalendarClosed& c : calendar.closed) {
    cctz::civil_day a, b;
    if (!ReadDay(c.first.text, &a) || (c.end && !ReadDay(c.end->text, &b))) {
      *error = "calendar '" + calendar.name.name + "': bad closed date";
      return false;
    }
    closed.emplace_back(a, c.end ? b : a + 1);
  }
  std::vector<std::pair<int64_t, int64_t>> open;
  const cctz::civil_day last = LocalDayOf(end_ms, tz) + 1;
  for (cctz::civil_day day = LocalDayOf(start_ms, tz) - 1; day <= last; ++day) {
    bool is_closed = false;
    for (const auto& [a, b] : closed) is_closed = is_closed || (day >= a && day < b);
    if (is_closed) continue;
    const int weekday = static_cast<int>(cctz::get_weekday(day));  // 0 = Monday
    for (const query::ast::CalendarOpen& o : calendar.open) {
      if (((o.days_mask >> weekday) & 1) == 0) continue;
      for (const auto& [b, e] : o.ranges) {
        const int64_t from = LocalInstantMs(day, b, tz), to = LocalInstantMs(day, e, tz);
        if (to > from) open.emplace_back(from, to);
      }
    }
  }
  std::sort(open.begin(), open.end());
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (const auto& iv : open) {
    if (!merged.empty() && iv.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  int64_t total = 0;
  for (const auto& [a, b] : merged) {
    const int64_t lo = std::max(a, start_ms), hi = std::min(b, end_ms);
    if (hi > lo) total += hi - lo;
  }
  *seconds = static_cast<double>(total) / 1000.0;
  return true;
}

}  // namespace kpi::reference
