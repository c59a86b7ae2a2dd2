// Result: the typed table a statement produces. No formatting here: the CLI
// and the server render it (aligned table, CSV, JSON).
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kpi::query {

enum class ValueType : uint8_t {
  kNull,
  kBool,
  kNumber,    // double
  kDuration,  // seconds, as a double (millisecond precision)
  kTime,      // epoch milliseconds UTC (render in Result::tz)
  kString,
};

const char* ValueTypeName(ValueType t);  // "null", "bool", "number", "duration", "time", "string"

struct Value {
  ValueType type = ValueType::kNull;
  bool boolean = false;
  double number = 0;    // kNumber, kDuration (seconds)
  int64_t time_ms = 0;  // kTime
  std::string text;     // kString

  static Value Null() { return Value{}; }
  static Value Bool(bool b) { Value v; v.type = ValueType::kBool; v.boolean = b; return v; }
  static Value Number(double d) { Value v; v.type = ValueType::kNumber; v.number = d; return v; }
  static Value Duration(double seconds) { Value v; v.type = ValueType::kDuration; v.number = seconds; return v; }
  static Value Time(int64_t ms) { Value v; v.type = ValueType::kTime; v.time_ms = ms; return v; }
  static Value String(std::string s) { Value v; v.type = ValueType::kString; v.text = std::move(s); return v; }
  bool is_null() const { return type == ValueType::kNull; }
  bool operator==(const Value& o) const;
};

struct ResultColumn {
  std::string name;
  ValueType type = ValueType::kNull;  // the column's declared type (cells may be null)
};

struct ExecStats {
  uint64_t rows_read = 0;  // event rows in the segments scanned
  uint64_t partitions_scanned = 0, partitions_skipped = 0;
  uint64_t segments_scanned = 0, segments_skipped = 0;
  double elapsed_ms = 0;
};

struct Result {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Value>> rows;
  std::vector<std::string> warnings;  // e.g. "event name 'foo' has never been ingested"
  ExecStats stats;
  std::string tz = "UTC";  // zone to display kTime values in
  std::string message;     // for statements without a table ("kpi frt defined")
};

}  // namespace kpi::query
