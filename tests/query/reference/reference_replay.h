// The definitions in force at an instant, for the reference evaluator: the
// tests record every definition statement the engine accepted (define / drop
// of kpis, calendars, targets, exemptions, scorecards and tables) and every
// table load, each with the store clock's time, and replay them up to the
// statement's `as of` (all of them without one) into RefDefinitions. A
// redefined exemption moves to the end of the list (it was defined last).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "query/reference/reference_judge.h"

namespace kpi::reference {

struct RefHistoryEntry {
  int64_t at_ms = 0;
  std::string statement;        // a define / drop statement, or
  std::string table, key, csv;  // a table load (CSV text, header first)
};

// False with *error when a recorded table does not read.
bool ReplayDefinitions(const std::vector<RefHistoryEntry>& history, std::optional<int64_t> as_of_ms,
                       RefDefinitions* out, std::string* error);

// The query's `as of` instant (read in its `tz`), or nullopt.
std::optional<int64_t> AsOfMs(const query::ast::SelectQuery& query);

}  // namespace kpi::reference
