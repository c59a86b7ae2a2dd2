// `kpi repl`: the interactive shell over a store.
//
// On a terminal: GNU readline editing, persistent history (the file named by
// `history_path`, else $KPI_HISTORY, else ~/.kpi_history; one entry per
// statement), tab completion of keywords, columns, event names and KPI
// names, Ctrl-C cancelling the running query or the statement being typed.
// When stdin is not a terminal (a pipe, a file): no prompts, no history,
// statements are read from the input as they come, and the exit status is
// 1 when any statement failed (0 otherwise); 2 when the store cannot be opened.
// Session rules (commands, ';' termination) are in cli/repl_session.h.
#pragma once

#include <cstdio>
#include <string>

#include "cli/backend_flags.h"

namespace kpi::cli {

struct ReplFlags {
  std::string db;
  BackendFlags backend;  // --backend clickhouse: statements run there (docs/scale-out.md)
  std::string format = "table";
  bool timer = false;
  std::string history_path;  // empty: $KPI_HISTORY or ~/.kpi_history
};

int RunRepl(const ReplFlags& flags, std::FILE* out, std::FILE* err);

}  // namespace kpi::cli
