// Business-hours durations in ClickHouse SQL (see clickhouse/sql_calendar.h).
#include "clickhouse/sql_calendar.h"

#include <utility>
#include <vector>

namespace kpi::clickhouse {

bool CalendarArraysFor(const query::BusinessClock& clock, int64_t from_ms, int64_t to_ms, CalendarArrays* out) {
  std::vector<std::pair<int64_t, int64_t>> open;
  int64_t before = 0;
  if (!clock.OpenIntervals(from_ms, to_ms, &open, &before)) return false;
  *out = CalendarArrays{};
  if (open.empty()) return true;
  int64_t cum = 0;
  for (size_t i = 0; i < open.size(); ++i) {
    const char* sep = i ? ", " : "[";
    out->starts += sep + std::to_string(open[i].first);
    out->ends += sep + std::to_string(open[i].second);
    out->open_before += sep + std::to_string(cum);
    cum += open[i].second - open[i].first;
  }
  // Int64 elements whatever the values.
  out->starts = "CAST(" + out->starts + "] AS Array(Int64))";
  out->ends = "CAST(" + out->ends + "] AS Array(Int64))";
  out->open_before = "CAST(" + out->open_before + "] AS Array(Int64))";
  return true;
}

std::string OpenIntervalIndexSql(const std::string& starts, const std::string& t) {
  return "arrayCount(k_x -> k_x <= " + t + ", " + starts + ")";
}

std::string OpenMsBeforeSql(const std::string& starts, const std::string& ends, const std::string& open_before,
                            const std::string& index, const std::string& t) {
  return "if(" + index + " = 0, toInt64(0), " + open_before + "[" + index + "] + least(" + t + ", " + ends + "[" +
         index + "]) - " + starts + "[" + index + "])";
}

}  // namespace kpi::clickhouse
