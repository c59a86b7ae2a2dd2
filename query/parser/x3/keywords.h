// The words of the query language.
//
// Reserved words (clause keywords, operators, literals) can never be
// identifiers, in any case. Other keywords (define, kpi, show, explain,
// events, ...) are recognised only where a statement or source name is
// expected, so they stay usable as column names.
// Thread safety: immutable tables.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kpi::query::x3p {

// True when p[0..n) is a reserved word (compared case-insensitively).
bool IsReservedWord(const char* p, size_t n);

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

// Every keyword, lower case, sorted: for REPL completion.
const std::vector<std::string>& AllKeywords();

}  // namespace kpi::query::x3p
