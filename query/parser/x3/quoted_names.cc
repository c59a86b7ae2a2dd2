#include "query/parser/x3/quoted_names.h"

#include "query/parser/x3/keywords.h"
#include "query/parser/x3/lexical.h"
#include "query/parser/x3/literals.h"

namespace kpi::query::x3p {

bool ReadQuotedName(const char* p, const char* last, std::string* text, const char** end, const char** error_at,
                    std::string* why) {
  text->clear();
  const char* q = p + 1;
  for (;;) {
    if (q == last || *q == '\n') {
      *error_at = p;
      *why = "unterminated quoted name (a name in backticks must end on the line it starts)";
      return false;
    }
    const char c = *q;
    if (c == '`') break;
    if (c != '\\') {
      *text += c;
      ++q;
      continue;
    }
    if (q + 1 == last || q[1] == '\n') {
      *error_at = p;
      *why = "unterminated quoted name (a name in backticks must end on the line it starts)";
      return false;
    }
    switch (q[1]) {
      case '`': *text += '`'; break;
      case '"': *text += '"'; break;
      case '\'': *text += '\''; break;
      case '\\': *text += '\\'; break;
      case 'n': *text += '\n'; break;
      case 't': *text += '\t'; break;
      case 'r': *text += '\r'; break;
      default:
        *error_at = q;
        *why = std::string("unknown escape '\\") + q[1] + "' in quoted name (use \\` \\\\ \\n \\t or \\r)";
        return false;
    }
    q += 2;
  }
  if (text->empty()) {
    *error_at = p;
    *why = "empty quoted name (``): a name has at least one character";
    return false;
  }
  *end = q + 1;
  return true;
}

const char* SkipQuotedName(const char* p, const char* last, bool* closed) {
  const char* q = p + 1;
  while (q < last && *q != '`' && *q != '\n') {
    if (*q == '\\' && q + 1 < last && q[1] != '\n') ++q;
    ++q;
  }
  const bool ends = q < last && *q == '`';
  if (closed != nullptr) *closed = ends;
  return ends ? q + 1 : q;
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
