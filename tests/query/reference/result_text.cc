#include "query/reference/result_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "query/reference/reference_time.h"

namespace kpi::reference {

const char* TypeName(query::ValueType t) {
  switch (t) {
    case query::ValueType::kNull:
      return "null";
    case query::ValueType::kBool:
      return "bool";
    case query::ValueType::kNumber:
      return "number";
    case query::ValueType::kDuration:
      return "duration";
    case query::ValueType::kTime:
      return "time";
    case query::ValueType::kString:
      return "string";
  }
  return "?";
}

std::string FormatCell(const query::Value& v, const std::string& tz_name) {
  switch (v.type) {
    case query::ValueType::kNull:
      return "NULL";
    case query::ValueType::kBool:
      return v.boolean ? "true" : "false";
    case query::ValueType::kNumber:
    case query::ValueType::kDuration: {
      char buf[64];
      for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v.number);
        if (std::strtod(buf, nullptr) == v.number) break;
      }
      return buf;
    }
    case query::ValueType::kTime: {
      cctz::time_zone tz;
      if (!LoadZone(tz_name, &tz)) tz = cctz::utc_time_zone();
      return FormatInZone(v.time_ms, tz);
    }
    case query::ValueType::kString:
      return v.text;
  }
  return "?";
}

std::string FormatTable(const query::Result& r, size_t max_rows) {
  std::string out;
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i) out += ',';
    out += r.columns[i].name + ":" + TypeName(r.columns[i].type);
  }
  out += '\n';
  for (size_t i = 0; i < r.rows.size() && i < max_rows; ++i) {
    for (size_t j = 0; j < r.rows[i].size(); ++j) {
      if (j) out += ',';
      out += FormatCell(r.rows[i][j], r.tz);
    }
    out += '\n';
  }
  if (r.rows.size() > max_rows) out += "... (" + std::to_string(r.rows.size()) + " rows)\n";
  for (const std::string& w : r.warnings) out += "warning: " + w + '\n';
  if (!r.message.empty()) out += "message: " + r.message + '\n';
  return out;
}

bool NearlyEqual(double a, double b, double rel_tol) {
  if (a == b) return true;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= rel_tol * std::max(scale, 1e-6);
}

bool SameCell(const query::Value& a, const query::Value& b, double rel_tol) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case query::ValueType::kNull:
      return true;
    case query::ValueType::kBool:
      return a.boolean == b.boolean;
    case query::ValueType::kNumber:
    case query::ValueType::kDuration:
      return NearlyEqual(a.number, b.number, rel_tol);
    case query::ValueType::kTime:
      return a.time_ms == b.time_ms;
    case query::ValueType::kString:
      return a.text == b.text;
  }
  return false;
}

}  // namespace kpi::reference
