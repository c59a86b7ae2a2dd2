#include "query/parser/x3/splitter.h"

#include "query/parser/x3/lexical.h"
#include "query/parser/x3/quoted_text.h"

namespace kpi::query::x3p {

namespace {

bool HasContent(const char* b, const char* e) { return SkipBlank(b, e) != e; }

// Walks `script` with the grammar's rules for comments, strings and quoted
// names, calling on_semicolon at each top-level ';'; returns the offset of
// the opening backtick of a quoted name left open at the end (npos: none).
template <typename OnSemicolon>
size_t Scan(std::string_view script, OnSemicolon&& on_semicolon) {
  const char* const begin = script.data();
  const char* const end = begin + script.size();
  const char* p = begin;
  while (p < end) {
    const char c = *p;
    if (c == '-' && p + 1 < end && p[1] == '-') {
      while (p < end && *p != '\n') ++p;
    } else if (c == '"' || c == '\'' || c == '`') {
      bool closed = false;
      const char* q = SkipQuoted(p, end, &closed);
      if (c == '`' && !closed && q == end) return static_cast<size_t>(p - begin);
      p = q;
    } else {
      if (c == ';') on_semicolon(static_cast<size_t>(p - begin));
      ++p;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::vector<size_t> TerminatorOffsets(std::string_view script) {
  std::vector<size_t> out;
  Scan(script, [&](size_t at) { out.push_back(at); });
  return out;
}

size_t OpenQuotedName(std::string_view text) {
  return Scan(text, [](size_t) {});
}

std::vector<std::string_view> SplitStatements(std::string_view script) {
  std::vector<std::string_view> out;
  size_t start = 0;
  auto close = [&](size_t stop) {
    const char* b = script.data() + start;
    const char* e = script.data() + stop;
    if (HasContent(b, e)) out.emplace_back(b, stop - start);
  };
  for (size_t semicolon : TerminatorOffsets(script)) {
    close(semicolon);
    start = semicolon + 1;
  }
  close(script.size());
  return out;
}

}  // namespace kpi::query::x3p
