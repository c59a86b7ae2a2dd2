// `kpi query`: runs a query text or a script file (statements separated by
// ';') against a store and prints the results (table, CSV or JSON).
// JSON results of select / evaluate always carry their provenance; with
// --provenance, table and CSV output print it too, on stderr, after each
// result (so stdout stays a clean table or CSV).
// Stops at the first failing statement. Exit status: 0 all statements ran,
// 1 a statement failed (message with line, column and caret on `err`),
// 2 bad flags, an unreadable file or a store that cannot be opened.
// With --timer, the segment cache's size and hit rate follow the script
// (what a repeated statement found decoded already). A script of one
// statement keeps no decoded segment (its cache line then shows no entry).
#pragma once

#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct QueryFlags {
  std::string db;
  BackendFlags backend;  // --backend clickhouse: statements run there (docs/scale-out.md)
  std::string text;  // the statements, or empty when `file` is given
  std::string file;  // script file, "-" = stdin
  std::string format = "table";  // table | csv | json
  bool timer = false;
  bool provenance = false;  // print each result's provenance block on stderr (table / CSV)
  std::string now;          // RFC 3339 instant relative windows are read against; empty: the clock
  std::string memory_limit = "none";  // sizes the caches (store_open.h ReadBudgetFromFlag); "none": built-in
  // The process ends with _exit right after RunQuery returns (cli/main.cc):
  // a store that stayed read-only is then left open instead of closed, and
  // the engine not torn down (their teardown frees what the kernel frees
  // anyway; ~3 % of a cold one-statement process). Output and the
  // derived-value files are written before RunQuery returns either way.
  bool process_ends_after = false;
};

int RunQuery(const QueryFlags& flags, std::FILE* out, std::FILE* err);

// The most the CLI reads of one input it holds whole in memory, so that
// `-f /dev/zero` or a mistaken multi-gigabyte file is an error, not an
// exhausted machine: a statement script (query -f, report's KPI list) as the
// HTTP server's default body limit; a data file (a table's or targets' CSV,
// an audit's saved results) larger.
inline constexpr size_t kMaxScriptBytes = size_t{64} << 20;
inline constexpr size_t kMaxDataFileBytes = size_t{1} << 30;

// Reads a whole file ("-" = stdin) into *content; false with *error set,
// also when it holds more than `max_bytes` (then it reads no further).
bool ReadWholeFile(const std::string& path, size_t max_bytes, std::string* content, std::string* error);

}  // namespace kpi::cli
