// Parser: query text -> AST (Boost.Spirit X3; grammar in query/parser/x3/grammar_def.h,
// instantiated once in query/parser/x3/grammar.cc; errors name the furthest point
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

#include "query/parser/ast.h"

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

// A script's statements as the parser sees them. This is the one place that
// knows statement boundaries: a top-level ';' outside strings, quoted names
// and `--` comments, with the grammar's rules (a string or quoted name ends
// on its line; backslash escapes). The CLI, the REPL and the server split here.
struct ScriptPiece {
  std::string_view text;  // from its first non-blank character, without the ';'
  int line = 1;           // where `text` starts in the script (1-based)
  int column = 1;         // in characters (query/text_width.h)
};
// Pieces holding only blanks and comments are left out.
std::vector<ScriptPiece> SplitScript(std::string_view script);
// Offset just past the last top-level ';' of `script`, 0 when it has none
// (the REPL runs what comes before it and keeps the rest pending).
size_t EndOfLastTerminator(std::string_view script);
// True when `script` holds only blanks and `--` comments (a bare ';' is not blank).
bool IsBlankScript(std::string_view script);

// What a statement does, for authorization: kDefinition for every define,
// drop and load of a definition (the admin role's), kQuery for select,
// evaluate, explain and show, kInvalid when it does not parse (it can
// change nothing; running it reports the error).
enum class StatementKind { kQuery, kDefinition, kInvalid };
StatementKind ClassifyStatement(std::string_view statement);

// The query language keywords (lower case), for REPL completion.
const std::vector<std::string>& Keywords();

}  // namespace kpi::query
