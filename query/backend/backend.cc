// Helpers every backend shares (see query/backend/backend.h).
#include "query/backend/backend.h"

#include <algorithm>

namespace kpi::query {

// The source line holding `pos` and a caret under its column.
std::string SourceSnippet(std::string_view text, int line_no, int column) {
  if (line_no < 1) return "";
  size_t start = 0;
  for (int line = 1; line < line_no; ++line) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string line(text.substr(start, end - start));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > 400) line.resize(400);
  const size_t col = static_cast<size_t>(std::max(column, 1) - 1);
  std::string caret;
  for (size_t i = 0; i < col && i < line.size(); ++i) caret += line[i] == '\t' ? '\t' : ' ';
  if (col > line.size()) caret.append(std::min<size_t>(col - line.size(), 400), ' ');
  return line + "\n" + caret + "^";
}

std::optional<int64_t> StatementAsOf(std::optional<int64_t> own, const ExecOptions& options) {
  if (own && options.as_of_ms) return std::min(*own, *options.as_of_ms);
  return own ? own : options.as_of_ms;
}

}  // namespace kpi::query
