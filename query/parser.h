// Parser: query text -> AST (Boost.Spirit X3; grammar in query/x3/grammar_def.h,
// instantiated once in query/x3/grammar.cc; errors name the furthest point
// the grammar reached and what it expected there).
//
// Never throws, never crashes: any input, however hostile, returns either a
// Statement or a ParseError. Nesting deeper than kMaxNestingDepth is an error:
// parentheses, calls, `not`/`-` chains, and operator chains (`a + b + ...`
// nests one tree level per operator), so every consumer of the AST may
// recurse on it.
// Thread safety: pure functions, callable from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"

namespace kpi::query {

inline constexpr int kMaxNestingDepth = 200;

struct ParseError {
  std::string message;   // e.g. "expected 'from'" or "unterminated string"
  ast::SourcePos pos;    // where the error was detected (furthest point reached)
  std::vector<std::string> expected;  // what would have been valid there, e.g. {"from", ","}
  std::string snippet;   // the offending source line and a caret line under pos
  // "line 2, column 8: expected 'from' or ','\n  from tickts\n       ^"
  std::string ToString() const;
};

// Parses exactly one statement (a trailing ';' and comments are allowed).
bool ParseStatement(std::string_view text, ast::Statement* out, ParseError* error);

// Splits a script into statements at top-level ';' (not inside strings or
// comments) and parses each; stops at the first error (*out then holds the
// statements before it). Positions are relative to the whole script. A
// script of only blanks and comments is valid and has no statements.
bool ParseScript(std::string_view text, std::vector<ast::Statement>* out, ParseError* error);

// The query language keywords (lower case), for REPL completion.
const std::vector<std::string>& Keywords();

}  // namespace kpi::query
