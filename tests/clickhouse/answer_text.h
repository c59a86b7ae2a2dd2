// A statement's answer on a backend as one string, for the ClickHouse
// tests' expectations: the message, then one line per row, cells joined by
// '|' (null, true/false, numbers as %g, times in UTC RFC 3339, strings);
// "error: <message>" when the statement fails.
// Thread safety: pure functions.
#pragma once

#include <cstdio>
#include <string>

#include "query/backend/backend.h"
#include "query/time_buckets.h"

namespace kpi::testing {

inline std::string CellText(const query::Value& v) {
  switch (v.type) {
    case query::ValueType::kNull: return "null";
    case query::ValueType::kBool: return v.boolean ? "true" : "false";
    case query::ValueType::kNumber:
    case query::ValueType::kDuration: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", v.number);
      return buf;
    }
    case query::ValueType::kTime: return query::FormatInstantUtc(v.time_ms);
    case query::ValueType::kString: return v.text;
  }
  return "?";
}

inline std::string AnswerText(const query::Backend& backend, const std::string& text) {
  query::Result r;
  query::QueryError e;
  if (!backend.Execute(text, {}, &r, &e).ok()) return "error: " + e.ToString();
  std::string out = r.message;
  for (const auto& row : r.rows) {
    out += out.empty() ? "" : "\n";
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "|" : "") + CellText(row[c]);
  }
  return out;
}

}  // namespace kpi::testing
