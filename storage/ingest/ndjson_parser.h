// NdjsonParser: one NDJSON line -> one RawEvent, or the reason it is rejected.
//
// Accepted line: one JSON object, valid UTF-8, flat (no nested object or
// array values), no duplicate keys (after unescaping), nothing after it.
//   ts      RFC 3339 string (zone-less stamps read as UTC when assume_utc),
//           or a non-negative integer of epoch milliseconds; 1970..2200.
//   ticket  non-empty string, or an integer (taken as its decimal string).
//   event   string matching [A-Za-z_][A-Za-z0-9_]*.
//   agent   string; "" = absent.     id  string or integer; "" = absent.
//   other   string -> dimension ("" = absent), number -> measure,
//           true/false -> measure 1/0, null -> absent. A key listed in
//           `typed_measures` (ReaderOptions::csv_measures) must be a number
//           or boolean: a text where a number was is a reject.
// A null ts/ticket/event counts as missing. When a line has several faults,
// broken JSON structure is reported first; values after the first other
// fault are only skipped, not decoded.
// Speed: simdjson On Demand over a padded buffer reused across lines; the
// output event's vectors are reused too (pass the same RawEvent back in).
// Thread safety: one parser per thread. The measure set must outlive it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/raw_event.h"

namespace kpi::ingest {

class NdjsonParser {
 public:
  NdjsonParser(const std::unordered_set<std::string>* typed_measures, bool assume_utc);
  ~NdjsonParser();
  NdjsonParser(const NdjsonParser&) = delete;
  NdjsonParser& operator=(const NdjsonParser&) = delete;

  // Parses `line` (no terminator) into *event (all fields overwritten except
  // `line`). Returns false and sets *reason when the line is rejected; *event
  // is then unspecified.
  bool Parse(std::string_view line, RawEvent* event, std::string* reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpi::ingest
