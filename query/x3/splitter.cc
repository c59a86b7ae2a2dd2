#include "query/x3/splitter.h"

#include "query/x3/lexical.h"

namespace kpi::query::x3p {

namespace {

bool HasContent(const char* b, const char* e) { return SkipBlank(b, e) != e; }

}  // namespace

std::vector<std::string_view> SplitStatements(std::string_view script) {
  std::vector<std::string_view> out;
  const char* const end = script.data() + script.size();
  const char* start = script.data();
  const char* p = start;
  auto close = [&](const char* stop) {
    if (HasContent(start, stop)) out.emplace_back(start, static_cast<size_t>(stop - start));
  };
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
    } else if (c == ';') {
      close(p);
      start = ++p;
    } else {
      ++p;
    }
  }
  close(end);
  return out;
}

}  // namespace kpi::query::x3p
