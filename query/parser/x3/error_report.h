// Turns a failed parse's ParseState into a ParseError: position, message
// ("expected 'from' or ','", plus a "did you mean" or reserved-word hint
// when the offending word suggests one) and a snippet (the source line and
// a caret under the column).
//
// Pure; the state and script must be alive during the call.
// Thread safety: pure functions.
#pragma once

#include <string>

#include "query/parser/parser.h"
#include "query/parser/x3/state.h"

namespace kpi::query::x3p {

void BuildParseError(const ParseState& state, ParseError* error);

// Fills position and snippet for an error at `where` (`message` as given).
void BuildErrorAt(const LineIndex& lines, const char* where, std::string message, ParseError* error);

// "  <line text>\n  <padding>^", the line cut to a window of 60 characters
// either side of `where` when long. Padding repeats the line's tabs and
// gives every other character its terminal width (query/text_width.h: 2 for
// CJK and other wide characters, 0 for combining marks), so the caret lines
// up under the character in a terminal.
std::string Snippet(const LineIndex& lines, const char* where);

}  // namespace kpi::query::x3p
