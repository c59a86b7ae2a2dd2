// Result: the typed table a statement produces. No formatting here: the CLI
// and the server render it (aligned table, CSV, JSON).
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
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

// One definition a result used, at the version it used.
struct DefinitionRef {
  std::string kind;  // "kpi", "table", "calendar", "target", "exemption", "scorecard"
  std::string name;
  int64_t version_ms = 0;  // store-clock instant that version was defined at
};

// A relative `during` window as a statement resolved it.
struct ResolvedWindow {
  std::string during;  // as canonical text: "last 1w", "this month", "today"
  int64_t start_ms = 0, end_ms = 0;  // [start, end)
};

// Where an answer came from, so it can be rerun and checked (docs/provenance.md).
struct Provenance {
  bool present = false;  // set by the engine for select / evaluate results
  int64_t as_of_ms = 0;  // store-clock instant the result reflects
  // With relative windows: the instant they were read against and what they
  // resolved to (a rerun passes now_ms back: ExecOptions::now_ms).
  std::optional<int64_t> now_ms;
  std::vector<ResolvedWindow> windows;
  std::vector<DefinitionRef> definitions;  // sorted by kind, then name
  std::string statement;    // the statement text as run (so a saved result can be rerun)
  std::string result_hash;  // 32 lower-case hex digits, XXH3-128 of CanonicalResultText
};

struct Result {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Value>> rows;
  std::vector<std::string> warnings;  // e.g. "event name 'foo' has never been ingested"
  ExecStats stats;
  std::string tz = "UTC";  // zone to display kTime values in
  std::string message;     // for statements without a table ("kpi frt defined")
  Provenance provenance;
};

}  // namespace kpi::query
