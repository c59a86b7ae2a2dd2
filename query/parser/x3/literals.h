// Literal tokens of the query language: reading numbers (with duration and
// percent suffixes), validating date/timestamp tokens, quoting strings and
// printing numbers back so they read in to the same double (reading quoted
// text back: quoted_text.h).
//
// Pure functions over already-delimited token text (the grammar in
// query/parser/x3/tokens.h finds where a token ends; these decide what it means).
// Never throw; invalid input yields false plus a one-line reason.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "query/parser/ast.h"

namespace kpi::query::x3p {

// A numeric token: digits [. digits] [e [+-] digits] then an optional suffix:
// none (kNumber), `%` (kPercent, 85% -> 0.85) or a duration unit
// ms s m h d w (kDuration, in seconds). `*kind`/`*value` get the result;
// on failure `*why` says what is wrong ("unknown unit 'x'...").
bool ReadNumberToken(std::string_view token, ast::ExprKind* kind, double* value, std::string* why);

// A date (YYYY-MM-DD) or RFC 3339 timestamp
// (YYYY-MM-DD[T|t| ]hh:mm:ss[.frac][Z|z|+hh:mm|-hh:mm]) with calendar checks.
bool ValidateTimeToken(std::string_view token, std::string* why);

// The shortest decimal text that reads back as exactly `value`
// ("0.5", "900", "1e+20"); "nan"/"inf"/"-inf" for non-finite values.
std::string ShortestDouble(double value);

// Canonical literal text that ReadNumberToken reads back to the same
// kind and value: "85%", "15m", "1.5s", "12".
std::string FormatNumberLiteral(ast::ExprKind kind, double value);

// Double-quoted form of `text` (QuoteWith '"', quoted_text.h: the escaping
// rule the string token reads back).
std::string QuoteString(std::string_view text);

}  // namespace kpi::query::x3p
