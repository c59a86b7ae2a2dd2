#include "query/parser/x3/splitter.h"

#include "query/parser/x3/lexical.h"

namespace kpi::query::x3p {

namespace {

bool HasContent(const char* b, const char* e) { return SkipBlank(b, e) != e; }

}  // namespace

std::vector<size_t> TerminatorOffsets(std::string_view script) {
  std::vector<size_t> out;
  const char* const begin = script.data();
  const char* const end = begin + script.size();
  const char* p = begin;
  while (p < end) {
    const char c = *p;
    if (c == '-' && p + 1 < end && p[1] == '-') {
      while (p < end && *p != '\n') ++p;
    } else if (c == '"' || c == '\'') {
      ++p;
      while (p < end && *p != c && *p != '\n') {
        if (*p == '\\' && p + 1 < end && p[1] != '\n') ++p;
        ++p;
      }
      if (p < end && *p == c) ++p;
    } else {
      if (c == ';') out.push_back(static_cast<size_t>(p - begin));
      ++p;
    }
  }
  return out;
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
