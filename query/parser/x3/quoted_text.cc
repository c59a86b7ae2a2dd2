#include "query/parser/x3/quoted_text.h"

namespace kpi::query::x3p {

QuotedRead ReadQuoted(const char* p, const char* last, std::string* text, const char** end,
                      const char** escape_at) {
  const char quote = *p;
  text->clear();
  const char* q = p + 1;
  for (;;) {
    if (q == last || *q == '\n') return QuotedRead::kUnterminated;
    const char c = *q;
    if (c == quote) break;
    if (c != '\\') {
      *text += c;
      ++q;
      continue;
    }
    if (q + 1 == last || q[1] == '\n') return QuotedRead::kUnterminated;
    switch (q[1]) {
      case '"': *text += '"'; break;
      case '\'': *text += '\''; break;
      case '\\': *text += '\\'; break;
      case 'n': *text += '\n'; break;
      case 't': *text += '\t'; break;
      case 'r': *text += '\r'; break;
      default:
        if (q[1] != quote) {
          *escape_at = q;
          return QuotedRead::kUnknownEscape;
        }
        *text += quote;
    }
    q += 2;
  }
  *end = q + 1;
  return QuotedRead::kRead;
}

const char* SkipQuoted(const char* p, const char* last, bool* closed) {
  const char quote = *p;
  const char* q = p + 1;
  while (q < last && *q != quote && *q != '\n') {
    if (*q == '\\' && q + 1 < last && q[1] != '\n') ++q;
    ++q;
  }
  const bool ends = q < last && *q == quote;
  if (closed != nullptr) *closed = ends;
  return ends ? q + 1 : q;
}

std::string QuoteWith(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c == quote) out += '\\';
        out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace kpi::query::x3p
