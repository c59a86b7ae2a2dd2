#include "gen_test_util.h"

#include <cctype>

namespace kpi::gen::testing {

std::vector<RawEvent> GenerateAll(const GenOptions& options, size_t batch) {
  Generator generator(options);
  std::vector<RawEvent> all;
  std::vector<RawEvent> chunk;
  while (generator.Next(batch, &chunk)) all.insert(all.end(), chunk.begin(), chunk.end());
  return all;
}

std::string ToNdjson(const std::vector<RawEvent>& events) {
  std::string text;
  for (const RawEvent& e : events) AppendNdjson(e, &text);
  return text;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool ParseMillisUtc(const std::string& s, int64_t* ms) {
  static const char kShape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != sizeof(kShape) - 1) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i]) {
      return false;
    }
  }
  auto num = [&](size_t pos, size_t len) { return std::stoll(s.substr(pos, len)); };
  const int64_t y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  // Days from civil, counting days month by month (slow but obviously right).
  static const int kMonthDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  auto leap = [](int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; };
  int64_t days = 0;
  for (int64_t year = 1970; year < y; ++year) days += leap(year) ? 366 : 365;
  for (int64_t month = 1; month < m; ++month)
    days += kMonthDays[month - 1] + (month == 2 && leap(y));
  days += d - 1;
  *ms = ((days * 24 + num(11, 2)) * 60 + num(14, 2)) * 60000 + num(17, 2) * 1000 + num(20, 3);
  return true;
}

std::map<std::string, std::vector<const RawEvent*>> ByTicket(const std::vector<RawEvent>& events) {
  std::map<std::string, std::vector<const RawEvent*>> tickets;
  for (const RawEvent& e : events) tickets[e.ticket].push_back(&e);
  return tickets;
}

std::string Dim(const RawEvent& e, const std::string& key, const std::string& fallback) {
  for (const auto& [k, v] : e.dims) {
    if (k == key) return v;
  }
  return fallback;
}

double Measure(const RawEvent& e, const std::string& key, double fallback) {
  for (const auto& [k, v] : e.measures) {
    if (k == key) return v;
  }
  return fallback;
}

}  // namespace kpi::gen::testing
