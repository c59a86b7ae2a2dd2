// Splitting a query script into statements for `kpi query -f` and the REPL.
//
// Statements end where the parser says (query::SplitScript: a top-level ';'
// outside strings and `--` comments, strings ending on their line as in the
// grammar). Each piece keeps its place in the script: its text is prefixed with the
// script's earlier line breaks and with spaces up to its first column, so the
// engine's line/column/caret for an error point into the script itself.
// Pieces holding nothing but whitespace and comments are dropped.
// Thread safety: pure functions. Any input is accepted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kpi::cli {

struct ScriptStatement {
  std::string text;  // padded as described above; without the ';'
  int line = 1;      // where the statement's first character is (1-based)
  int column = 1;    // in characters (query/text_width.h)
};

std::vector<ScriptStatement> SplitStatements(std::string_view script);

// Offset just past the last top-level ';' of `text`, or 0 when it has none.
// (The REPL runs the statements before it and keeps the rest pending.)
size_t EndOfLastTerminator(std::string_view text);

// True when `text` holds only whitespace and `--` comments.
bool IsBlankScript(std::string_view text);

}  // namespace kpi::cli
