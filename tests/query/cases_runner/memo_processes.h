// The derived-value files' pass of the data-file runner (cases_test.cc): a
// statement run in two fresh "processes" over a case's store, each opened as
// `kpi query` opens it (cli/query_command.cc): read-only until a write, no
// segment cache, the derived-value files registered (query/execution/
// disk_memo.h). The first (the writer) derives and writes what it
// memoizes; the second (the reader) reads it back from DIR/memo instead of
// deriving. Both answers must meet the step's expectation, so a memo bug
// found by the differential tests (tests/query/differential/
// memo_differential_test.cc) can be held as a minimised case file.
// KPI_CASES_MEMO=off skips the pass.
// Thread safety: one call at a time per store directory (RocksDB's lock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/result.h"
#include "storage/status.h"

namespace kpi::cases {

struct MemoPass {
  std::string name;        // "writer process", "reader process"
  Status status;           // of the open or the statement
  std::string error;       // the statement's error, when status is not OK
  query::Result result;
  uint64_t file_hits = 0;  // values read from the files
  uint64_t file_misses = 0;
};

// False under KPI_CASES_MEMO=off.
bool MemoPassesOn();

// Runs `statement` as a writer, then as a reader, over the closed store at
// `dir`, the stores' clock at `now_ms` (relative windows, `as of`).
std::vector<MemoPass> RunAsWriterThenReader(const std::string& dir, const std::string& statement, int64_t now_ms);

}  // namespace kpi::cases
