// The JSON rendering of result values: the one rule the CLI's and the
// server's JSON output use, and the rule result hashes are computed over
// (query/evaluation/provenance.h), so it lives where results are made.
//
//   null      null
//   bool      true / false
//   number    whole numbers below 1e15 in full ("1000000", "-3"); any other
//   duration  finite number in the shortest text that reads back as the same
//             double ("0.1", "1e+20", "1e-04"); -0 as "0"; NaN and
//             infinities as null. Durations are seconds.
//   time      a JSON string, RFC 3339 in the result's zone: "Z" for UTC
//             (also for an empty or unknown zone name), otherwise the
//             numeric offset ("+08:00"; "+00:00" for a non-UTC zone at
//             offset zero); milliseconds only when non-zero
//             ("2025-03-01T16:15:02.123+08:00").
//   string    a JSON string: " \ and control characters escaped (\n \r \t
//             \b \f, others and DEL as \u00xx in lower-case hex), every
//             other character as UTF-8; invalid UTF-8 bytes become U+FFFD.
//
// Thread safety: pure functions; a JsonValueWriter is immutable after
// construction (time zones come from cctz's cache).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/result.h"

namespace kpi::query {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view text);
std::string JsonString(std::string_view text);

// Appends the number per the rule above (null when not finite).
void AppendJsonNumber(std::string* out, double value);

// The number text of the rule above for a finite `value`; for NaN and
// infinities "nan", "inf", "-inf" (callers that need JSON use AppendJsonNumber).
std::string ExactNumberText(double value);

// RFC 3339 text of `epoch_ms` in zone `tz`, without quotes.
std::string Rfc3339InZone(int64_t epoch_ms, const std::string& tz);

// Renders values in one zone (loaded once, for results of many rows).
class JsonValueWriter {
 public:
  explicit JsonValueWriter(const std::string& tz);
  ~JsonValueWriter();
  JsonValueWriter(const JsonValueWriter&) = delete;
  JsonValueWriter& operator=(const JsonValueWriter&) = delete;

  // The JSON text of `v`.
  void Append(std::string* out, const Value& v) const;
  // RFC 3339 text of `epoch_ms` (no quotes).
  void AppendTime(std::string* out, int64_t epoch_ms) const;
  // One row as a JSON array of `ncols` cells: missing cells are null, extra
  // cells are left out (any Result is accepted).
  void AppendRow(std::string* out, const std::vector<Value>& row, size_t ncols) const;

 private:
  struct Zone;
  std::unique_ptr<Zone> zone_;
};

}  // namespace kpi::query
