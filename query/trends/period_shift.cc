#include "query/trends/period_shift.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>

namespace kpi::query::trends {

bool ParseShiftUnit(std::string_view name, ShiftUnit* unit) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "day") *unit = ShiftUnit::kDay;
  else if (lower == "week") *unit = ShiftUnit::kWeek;
  else if (lower == "month") *unit = ShiftUnit::kMonth;
  else if (lower == "quarter") *unit = ShiftUnit::kQuarter;
  else if (lower == "year") *unit = ShiftUnit::kYear;
  else return false;
  return true;
}

const char* ShiftUnitName(ShiftUnit unit) {
  switch (unit) {
    case ShiftUnit::kDay: return "day";
    case ShiftUnit::kWeek: return "week";
    case ShiftUnit::kMonth: return "month";
    case ShiftUnit::kQuarter: return "quarter";
    case ShiftUnit::kYear: return "year";
  }
  return "?";
}

int64_t ShiftBack(int64_t epoch_ms, ShiftUnit unit, const cctz::time_zone& tz) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const int64_t floor_s = epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000);
  const int64_t sub_ms = epoch_ms - floor_s * 1000;
  const auto tp = std::chrono::time_point_cast<seconds>(std::chrono::system_clock::from_time_t(0)) + seconds(floor_s);
  const cctz::civil_second cs = cctz::convert(tp, tz);
  const cctz::civil_day day(cs);
  cctz::civil_day shifted;
  if (unit == ShiftUnit::kDay || unit == ShiftUnit::kWeek) {
    shifted = day - (unit == ShiftUnit::kDay ? 1 : 7);
  } else {
    const int months = unit == ShiftUnit::kMonth ? 1 : unit == ShiftUnit::kQuarter ? 3 : 12;
    const cctz::civil_month month = cctz::civil_month(day) - months;
    const int last = static_cast<int>(cctz::civil_day(month + 1) - cctz::civil_day(month));
    shifted = cctz::civil_day(month.year(), month.month(), std::min(day.day(), last));
  }
  const cctz::civil_second target(shifted.year(), shifted.month(), shifted.day(), cs.hour(), cs.minute(), cs.second());
  const cctz::time_zone::civil_lookup look = tz.lookup(target);
  const auto out = look.kind == cctz::time_zone::civil_lookup::SKIPPED ? look.trans : look.pre;
  const int64_t out_s = std::chrono::duration_cast<seconds>(out.time_since_epoch()).count();
  return out_s * 1000 + sub_ms;
}

int64_t BucketsBack(TimeBucketer& bucketer, int64_t start, size_t k, size_t max_steps, size_t* stepped) {
  size_t i = 0;
  for (; i < k && start > 0 && i <= max_steps; ++i) start = PreviousBucket(bucketer, start);
  *stepped = i;
  return start;
}

}  // namespace kpi::query::trends
