// Splits a script into statements at top-level ';' — those outside strings,
// quoted names (quoted_names.h) and `--` comments — using the same rules as
// the grammar's tokens (a string or quoted name ends on the line it starts).
//
// Pure; never fails: an unterminated string simply ends at its line, and the
// grammar then reports it. Thread safety: pure function.
#pragma once

#include <string_view>
#include <vector>

namespace kpi::query::x3p {

// The statements' text ranges (without their ';'), in order; ranges holding
// only blanks and comments are left out.
std::vector<std::string_view> SplitStatements(std::string_view script);

// Offsets of the top-level ';' of `script`, in order.
std::vector<size_t> TerminatorOffsets(std::string_view script);

// Where the quoted name that `text` ends inside of starts (its opening
// backtick: `text` is what precedes a cursor), npos when it ends outside
// one. For completion of quoted names.
size_t OpenQuotedName(std::string_view text);

}  // namespace kpi::query::x3p
