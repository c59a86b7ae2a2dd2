// Quoted names (an extension of the query language, docs/query-language.md
// "Quoted names"): a name in backticks, `état` or `first name`, names any
// column whatever its characters, as ClickHouse and MySQL allow. Ingest
// stores any non-empty JSON key or CSV header as a dimension or measure
// (/work/shared/domain/event-format.md), while a bare identifier is ASCII
// [A-Za-z_][A-Za-z0-9_]* and not a reserved word.
//
// Inside the backticks every character stands for itself except `\`: the
// escapes are those of strings plus \` (\` \\ \" \' \n \t \r), read by the
// strings' own reader (ReadQuoted, quoted_text.h). A quoted name ends on the
// line it starts, as a string does, and is never empty. A quoted name is
// never a keyword: `select` is the column "select".
//
// The one lexer of these names: the grammar's tokens (tokens.h) and
// completion (the word being completed may be an open quoted name) read
// them here; the statement splitter skips them as it skips strings
// (SkipQuoted: a `;` inside one ends nothing); the printer (ast::ToString)
// and completion write them with QuoteName.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace kpi::query::x3p {

// Reads the quoted name whose opening backtick is at `p` (< last). On
// success *text is the name (escapes resolved) and *end is just past the
// closing backtick. On failure *error_at is where the fault is (the opening
// backtick for an unterminated or empty name, the backslash of an unknown
// escape) and *why says what it is.
bool ReadQuotedName(const char* p, const char* last, std::string* text, const char** end, const char** error_at,
                    std::string* why);

// True when `name` reads back as itself without quotes: an ASCII
// identifier that is not a reserved word.
bool IsBareName(std::string_view name);

// `name` as the grammar reads it back: bare when IsBareName, else in
// backticks with \ ` and line breaks escaped.
std::string QuoteName(std::string_view name);

}  // namespace kpi::query::x3p
