// Lookup-table joins in ClickHouse SQL (see clickhouse/sql_lookup.h).
#include "clickhouse/sql_lookup.h"

#include <cmath>
#include <cstdio>

#include "clickhouse/event_rows.h"

namespace kpi::clickhouse {

namespace {

// A Float64 literal (always with a '.' or an exponent, so an array of them
// is Array(Float64) whatever the values).
std::string Float(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

template <typename Cell>
std::string Array(size_t rows, Cell cell) {
  std::string out = "[";
  for (size_t r = 0; r < rows; ++r) {
    if (r) out += ", ";
    out += cell(r);
  }
  return out + "]";
}

}  // namespace

std::string LookupKeys(const query::LookupTable& table) { return LookupValues(table, table.key_column); }

std::string LookupValues(const query::LookupTable& table, size_t column) {
  const query::LookupTable::Column& c = table.columns[column];
  if (c.type == query::TableColumnType::kNumber)
    return Array(table.rows, [&](size_t r) { return Float(std::isnan(c.numbers[r]) ? 0 : c.numbers[r]); });
  return Array(table.rows, [&](size_t r) { return SqlQuote(std::string(table.Text(column, r))); });
}

std::string LookupNulls(const query::LookupTable& table, size_t column) {
  bool any = false;
  for (size_t r = 0; r < table.rows && !any; ++r) any = table.IsNull(column, r);
  if (!any) return "";
  return Array(table.rows, [&](size_t r) { return std::string(table.IsNull(column, r) ? "1" : "0"); });
}

std::string LookupIndex(const query::LookupTable& table, const std::string& keys, const std::string& key,
                        query::ValueType type) {
  if (table.rows == 0) return "0";
  const bool string_key = table.key().type == query::TableColumnType::kString;
  // Keys are never empty: '' stands for a null string key.
  if (type == query::ValueType::kString)
    return string_key ? "indexOf(" + keys + ", ifNull(" + key + ", ''))" : "0";
  if (type == query::ValueType::kNumber || type == query::ValueType::kDuration)
    return string_key ? "0"
                      : "if(isNull(" + key + "), 0, indexOf(" + keys + ", ifNull(toFloat64(" + key + "), 0)))";
  return "0";
}

}  // namespace kpi::clickhouse
