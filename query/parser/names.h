// Names as statements write them (docs/query-language.md "Quoted names"):
// for the printer's callers, completion and the REPL. The lexer of quoted
// names is query/parser/x3/quoted_names.h; these are its public face.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kpi::query {

// A column's name as a statement writes it: bare when it is an ASCII
// identifier and no reserved word, else in backticks (`état`, `first name`,
// `a.b`).
std::string QuoteName(std::string_view name);

// Where the quoted name that `text` (what precedes a cursor) ends inside of
// starts, at its opening backtick; npos when it ends outside one.
size_t OpenQuotedName(std::string_view text);

}  // namespace kpi::query
