#include "query/parser/x3/quoted_names.h"

#include "query/parser/x3/keywords.h"
#include "query/parser/x3/lexical.h"
#include "query/parser/x3/quoted_text.h"

namespace kpi::query::x3p {

bool ReadQuotedName(const char* p, const char* last, std::string* text, const char** end, const char** error_at,
                    std::string* why) {
  const char* escape = nullptr;
  switch (ReadQuoted(p, last, text, end, &escape)) {
    case QuotedRead::kUnterminated:
      *error_at = p;
      *why = "unterminated quoted name (a name in backticks must end on the line it starts)";
      return false;
    case QuotedRead::kUnknownEscape:
      *error_at = escape;
      *why = std::string("unknown escape '\\") + escape[1] + "' in quoted name (use \\` \\\\ \\n \\t or \\r)";
      return false;
    case QuotedRead::kRead:
      break;
  }
  if (text->empty()) {
    *error_at = p;
    *why = "empty quoted name (``): a name has at least one character";
    return false;
  }
  return true;
}

bool IsBareName(std::string_view name) {
  if (name.empty() || !IsIdentStart(name[0])) return false;
  for (char c : name)
    if (!IsIdentChar(c)) return false;
  return !IsReservedWord(name.data(), name.size());
}

std::string QuoteName(std::string_view name) {
  return IsBareName(name) ? std::string(name) : QuoteWith(name, '`');
}

}  // namespace kpi::query::x3p
