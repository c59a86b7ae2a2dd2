// The query test data files (tests/query/cases/*.test): a script of event
// batches and statements with their expected outcome.
//
//   # a comment (any line whose first non-blank character is '#')
//   events @2025-06-01T00:00:00Z      one ingest batch, stamped with that instant
//                                      (the store's clock stays there: define
//                                      and drop are stamped with it; a block
//                                      with no lines only moves the clock)
//   {"ts":"...","ticket":"T1","event":"created","channel":"chat"}
//   ...                                NDJSON lines (event-format.md)
//
//   table agents key=agent             a lookup table loaded (kpi table load) at the
//   agent,role,score                   clock's instant: CSV lines, header first, up
//   a1,frontline,4.5                   to a blank line or the next directive; the
//                                      reference gets the same rows, typed plainly
//
//   run watch NAME @2025-06-01T12:00:00Z  runs the watch (as defined then) at
//                                      that instant and records the run as
//                                      `kpi serve` does (query/watch/watch_record.h),
//                                      for `from watch` and `show alerts`; the
//                                      clock moves there
//
//   query frt_by_channel               one test; the name must be unique in the file
//   select p50(duration(created -> agent_reply)) as frt
//   from tickets by channel            statement text: every line up to `expect`
//   expect                             the table: header, then one line per row
//   channel,frt:duration               `name:type` also checks the column type
//   chat,30                            cells: NULL, true/false, numbers (1e-9
//   email,NULL                         relative), times in RFC 3339 with an offset,
//                                      strings ("quoted" when holding , or spaces)
//
// Expectation forms: `expect` (ordered table), `expect unordered` (rows in
// any order), `expect error <text>` (fails, message holds <text>, any case),
// `expect warning <text>` (a warning holds <text>; a table may follow),
// `expect ok [<text>]` (succeeds; its message holds <text>).
// A table ends at a blank line or the next directive.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/raw_event.h"

namespace kpi::cases {

struct Cell {
  std::string text;
  bool quoted = false;  // "NULL" quoted is the string NULL
};

struct Expectation {
  int line = 0;
  bool has_table = false;
  bool unordered = false;
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // "" where not given
  std::vector<std::vector<Cell>> rows;
  bool expect_error = false;
  std::string error_text;
  std::string warning_text;  // non-empty: a warning must hold it
  bool expect_ok = false;
  std::string ok_text;
};

struct Step {
  enum class Kind { kEvents, kStatement, kTable, kWatchRun };
  Kind kind = Kind::kEvents;
  int line = 0;
  // kEvents (and kWatchRun: the run's instant)
  int64_t ingest_ms = 0;
  std::string ingest_text;
  std::vector<RawEvent> events;
  // kTable: name, key column, the CSV text (header first)
  std::string table, table_key, csv;
  // kWatchRun
  std::string watch;
  // kStatement
  std::string name;
  std::string text;
  Expectation expect;
};

struct CaseFile {
  std::string path;
  std::vector<Step> steps;
};

// False with *error ("file:line: reason") when the file is malformed.
bool ParseCaseFile(const std::string& path, const std::string& content, CaseFile* out, std::string* error);

}  // namespace kpi::cases
