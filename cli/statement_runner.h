// Runs query statements and prints their results: the part `kpi query` and
// the REPL share.
//
// RunScript splits a script into statements (cli/statement_splitter.h), runs
// them one by one with Backend::Execute (query/backend/backend.h: the local
// Engine or another backend) and writes each result to `out` in the
// chosen format (tables separated by a blank line, JSON one document per
// line). Errors go to `err` as "error: " + QueryError::ToString() (prefixed
// by the script's name when given), with line and column relative to the
// whole script. Warnings go to `err` too (for JSON they are also in the
// document). With `timer`, a timing line per statement goes to `err` (wall,
// engine and process CPU time: every thread of the process); with
// `provenance`, the provenance block of each result that has one (table and
// CSV; JSON documents always include it).
// Thread safety: one call at a time per output stream.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/format.h"
#include "query/backend/backend.h"

namespace kpi::cli {

struct RunSettings {
  OutputFormat format = OutputFormat::kTable;
  bool timer = false;
  bool provenance = false;  // table / CSV: each result's provenance block on `err` (JSON always has it)
  bool stop_on_error = true;
  std::string source_name;  // e.g. the -f file; prefixes error messages when set
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C in the REPL
  std::optional<int64_t> now_ms;  // relative windows read against this instant (kpi query --now)
};

// Returns true when every statement succeeded (a blank script succeeds).
bool RunScript(const query::Backend& engine, std::string_view script, const RunSettings& settings, std::FILE* out,
               std::FILE* err);

}  // namespace kpi::cli
