#include "query/parser/x3/keywords.h"

#include <algorithm>
#include <cstring>

namespace kpi::query::x3p {

namespace {

const char* const kReserved[] = {"and",   "as",   "asc",   "at",   "before", "by",    "desc",
                                 "during", "false", "from",  "having", "in",   "limit", "not",
                                 "null",  "or",   "order", "select", "true", "tz",    "where"};

const char* const kUnreserved[] = {"case", "compare", "else", "end", "is", "last", "previous", "this", "today", "watch", "watches", "alerts", "every", "keep", "notify", "rolling", "then", "when", "with", "calendar",  "calendars", "cap",       "closed",  "define",     "drop",
                                   "evaluate",  "events",    "exclude",   "exemption", "exemptions", "explain",
                                   "join",      "kpi",       "kpis",      "of",      "on",         "open",
                                   "relax",     "scorecard", "scorecards", "show",   "table",      "tables",
                                   "target",    "targets",   "tickets"};

}  // namespace

bool IsReservedWord(const char* p, size_t n) {
  if (n < 2 || n > 6) return false;
  char lower[8];
  for (size_t i = 0; i < n; ++i) lower[i] = (p[i] >= 'A' && p[i] <= 'Z') ? static_cast<char>(p[i] - 'A' + 'a') : p[i];
  for (const char* w : kReserved) {
    if (std::strlen(w) == n && std::memcmp(w, lower, n) == 0) return true;
  }
  return false;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const std::vector<std::string>& AllKeywords() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> v(std::begin(kReserved), std::end(kReserved));
    v.insert(v.end(), std::begin(kUnreserved), std::end(kUnreserved));
    std::sort(v.begin(), v.end());
    return v;
  }();
  return words;
}

}  // namespace kpi::query::x3p
