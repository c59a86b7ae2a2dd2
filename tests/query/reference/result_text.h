// Printing and comparing query Results in the query tests: one cell as text,
// a whole table for failure messages, and cell equality with a relative
// tolerance for numbers (engine and reference may add in different orders).
// Thread safety: pure functions.
#pragma once

#include <string>

#include "query/result.h"

namespace kpi::reference {

// Numbers as the shortest text that reads back exactly, times as RFC 3339 in
// `tz` (an IANA name; UTC if unknown), null as NULL.
std::string FormatCell(const query::Value& v, const std::string& tz);

// Header line `name:type,...` then one line per row, in the result's zone;
// warnings and message below. At most `max_rows` rows.
std::string FormatTable(const query::Result& r, size_t max_rows = 200);

const char* TypeName(query::ValueType t);

// Same type (kNull matches only kNull) and, for numbers and durations, equal
// within `rel_tol` relative (absolute near zero).
bool SameCell(const query::Value& a, const query::Value& b, double rel_tol = 1e-9);

bool NearlyEqual(double a, double b, double rel_tol = 1e-9);

}  // namespace kpi::reference
