// Helpers every backend shares (see query/backend/backend.h).
#include "query/backend/backend.h"

#include <algorithm>

#include "query/parser/x3/error_report.h"

namespace kpi::query {

// The source line holding `pos` and a caret under its column, cut to a
// window around it as a parse error's is (one rule: x3p::Snippet).
std::string SourceSnippet(std::string_view text, int line_no, int column) {
  if (line_no < 1) return "";
  const x3p::LineIndex lines(text);
  if (lines.PosOf(lines.end()).line < line_no) return "";
  ast::SourcePos pos;
  pos.line = line_no;
  pos.column = std::max(column, 1);  // past the line's end: the caret at its end
  return x3p::Snippet(lines, lines.PointerOf(pos));
}

std::optional<int64_t> StatementAsOf(std::optional<int64_t> own, const ExecOptions& options) {
  if (own && options.as_of_ms) return std::min(*own, *options.as_of_ms);
  return own ? own : options.as_of_ms;
}

}  // namespace kpi::query
