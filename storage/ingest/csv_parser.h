// CsvParser: RFC 4180 CSV records -> RawEvents.
//
// The first non-blank record is the header: column names, unique and
// non-empty, among them `ts`, `ticket` and `event`; `agent` and `id` are
// optional. Each later record must have exactly as many fields ("expected
// N fields, got M" otherwise). Fields may be quoted ("a, b", "say ""hi""",
// newlines inside quotes); a quote inside an unquoted field or text after a
// closing quote is a reject. An empty cell (quoted or not) is absent.
// Cells: ts = RFC 3339 or digits of epoch milliseconds; event an identifier;
// columns listed in `measures` hold numbers (a non-numeric cell is a
// reject); every other column is a dimension. Records must be valid UTF-8.
// Thread safety: one parser per thread. The measure set is copied.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/raw_event.h"

namespace kpi::ingest {

class CsvParser {
 public:
  CsvParser(const std::unordered_set<std::string>& measures, bool assume_utc);

  // Reads the header record; false with *reason if it is unusable.
  bool ParseHeader(std::string_view record, std::string* reason);
  bool has_header() const { return !columns_.empty(); }

  // Parses one data record (ParseHeader must have succeeded). Returns false
  // and sets *reason when the record is rejected; *event is then unspecified.
  bool Parse(std::string_view record, RawEvent* event, std::string* reason);

 private:
  enum class Role { kTs, kTicket, kEvent, kAgent, kId, kRevision, kOp, kMeasure, kDimension };
  struct Column {
    std::string name;
    Role role;
  };

  // Splits `record` into fields_ (unquoted, "" unescaped).
  bool SplitFields(std::string_view record, std::string* reason);
  std::string& Slot(size_t index);

  std::unordered_set<std::string> measures_;
  bool assume_utc_;
  std::vector<Column> columns_;
  std::vector<std::string> fields_;
  std::string overflow_;  // fields past the header's width land here
  size_t field_count_ = 0;
};

}  // namespace kpi::ingest
