// Result formatting for the CLI: query::Result -> aligned table, CSV or JSON.
//
// Pure functions of their arguments (no I/O, no global state), so the tests
// call them directly. Any Result is accepted: rows shorter or longer than the
// column list, non-finite numbers, invalid UTF-8 and unknown time zones are
// rendered without crashing (missing cells as NULL, invalid bytes as U+FFFD
// in JSON, an unknown zone as UTC).
//
// Rendering rules shared by the three formats:
//   * kTime values are RFC 3339 in Result::tz with its offset
//     ("2025-03-01T16:15:02+08:00", "Z" for UTC; milliseconds only when
//     non-zero). In the table, a time column whose values all fall on local
//     midnight (day, week, month... buckets) shows dates only.
//   * kDuration: readable in the table ("45.2s", "3m 20s", "1h 02m",
//     "2d 04h"); seconds as a number in CSV and JSON.
//   * NULL: "NULL" in the table, an empty cell in CSV, null in JSON.
// JSON cells follow query/value_json.h (the rule result hashes use); a result
// with provenance (select / evaluate) carries it as "provenance"
// (query/evaluation/provenance.h); FormatProvenance is its text form for
// `kpi query --provenance`.
// Thread safety: pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "query/result.h"

namespace kpi::cli {

enum class OutputFormat { kTable, kCsv, kJson };

// Parses "table", "csv" or "json"; false for anything else.
bool ParseOutputFormat(std::string_view name, OutputFormat* out);

// The whole result in `format`, ending with a newline. The table ends with a
// "(N rows)" line; a result without columns renders its message (if any).
std::string FormatResult(const query::Result& result, OutputFormat format);

std::string FormatTable(const query::Result& result);
std::string FormatCsv(const query::Result& result);
std::string FormatJson(const query::Result& result);

// The provenance block of `kpi query --provenance` (empty when the result has
// none); instants in UTC:
//   provenance:
//     as of:       2025-06-01T00:00:00Z
//     definition:  kpi frt, version 2025-05-30T12:00:00Z
//     now:         2025-06-01T09:30:00Z                       (relative windows only)
//     window:      last 1w = 2025-05-25T09:30:00Z .. 2025-06-01T09:30:00Z
//     statement:   select frt from tickets by channel
//     result hash: 5b3c...(32 hex digits)
std::string FormatProvenance(const query::Provenance& provenance);

// --- building blocks (exposed for tests and for `kpi info`) ---

// One cell as the table shows it ("NULL", "0.8523", "3m 20s", a date when
// `date_only`); `kpi report` shows cells by the same rule.
std::string DisplayCell(const query::Value& value, const std::string& tz, bool date_only);
// True when the column's non-null cells are all times at local midnight in
// the result's zone (bucket starts): the table shows them as dates.
bool ColumnShowsDates(const query::Result& result, size_t column);

// "45.2s", "45s", "3m 20s", "1h 02m", "2d 04h", "-5s"; "NaN" / "inf" for non-finite.
std::string FormatDuration(double seconds);
// Numbers for humans: integers without a fraction ("1234"), others rounded to
// at most 4 decimals ("0.8523"), tiny or huge ones in %g form.
std::string FormatNumber(double value);
// Shortest text that reads back as the same double ("0.1", "1e+300");
// "null" is the caller's business for non-finite values.
std::string FormatNumberExact(double value);
// RFC 3339 in the named zone; `date_only` gives "YYYY-MM-DD" (local date).
std::string FormatTime(int64_t epoch_ms, const std::string& tz, bool date_only = false);
// True if `epoch_ms` is exactly midnight in `tz`.
bool IsLocalMidnight(int64_t epoch_ms, const std::string& tz);
// One CSV field, quoted per RFC 4180 when it holds , " CR LF or edge spaces.
std::string CsvField(std::string_view text);
// A JSON string literal with its quotes; control characters escaped, invalid
// UTF-8 replaced by U+FFFD.
std::string JsonString(std::string_view text);

// `s` for a table: \n, \t and \r escaped, other control characters as '?'
// (they would break the table's lines, and a NUL would cut printed text).
std::string Printable(std::string_view s);
// `s` (an error message, perhaps quoting the user's statement under a
// caret) for a terminal: lines and tabs kept, other control characters as
// '?' as in Printable (one column each, so a caret stays under its place).
std::string PrintableLines(std::string_view s);
// "1,234,567".
std::string FormatCount(uint64_t n);
// "812 B", "12.3 KB", "4.5 MB", "1.2 GB" (powers of 1024).
std::string FormatBytes(uint64_t bytes);

}  // namespace kpi::cli
