// Value-level formatting helpers of cli/format.h: numbers, durations, times,
// byte counts and the CSV / JSON escaping rules (the JSON ones, exact
// numbers and RFC 3339 times are query/value_json.h's).
#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "cli/format.h"
#include "query/value_json.h"

namespace kpi::cli {

namespace {

using Seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

cctz::time_zone LoadZone(const std::string& name) {
  cctz::time_zone zone;
  if (name.empty() || name == "UTC" || !cctz::load_time_zone(name, &zone)) return cctz::utc_time_zone();
  return zone;
}

// Floor division: -1 ms is 1969-12-31T23:59:59.999.
void SplitMillis(int64_t epoch_ms, int64_t* seconds, int* millis) {
  int64_t s = epoch_ms / 1000;
  int64_t r = epoch_ms % 1000;
  if (r < 0) {
    r += 1000;
    s -= 1;
  }
  *seconds = s;
  *millis = static_cast<int>(r);
}

std::string Printf(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (std::isnan(seconds)) return "NaN";
  if (std::isinf(seconds)) return seconds > 0 ? "inf" : "-inf";
  std::string sign = seconds < 0 ? "-" : "";
  double s = std::fabs(seconds);
  char buf[96];
  if (std::round(s * 10) / 10 < 60) {
    double tenths = std::round(s * 10) / 10;
    if (tenths == std::floor(tenths)) {
      std::snprintf(buf, sizeof(buf), "%.0fs", tenths);
    } else {
      std::snprintf(buf, sizeof(buf), "%.1fs", tenths);
    }
    return tenths == 0 ? std::string(buf) : sign + buf;
  }
  if (s < 3600 - 0.5) {
    int64_t total = static_cast<int64_t>(std::llround(s));
    std::snprintf(buf, sizeof(buf), "%" PRId64 "m %02" PRId64 "s", total / 60, total % 60);
    return sign + buf;
  }
  if (s < 86400 - 30) {
    int64_t minutes = static_cast<int64_t>(std::llround(s / 60));
    std::snprintf(buf, sizeof(buf), "%" PRId64 "h %02" PRId64 "m", minutes / 60, minutes % 60);
    return sign + buf;
  }
  double hours_d = std::round(s / 3600);
  if (hours_d > 9e15) return sign + Printf("%.3gd", s / 86400);  // beyond int64 hours: no split
  int64_t hours = static_cast<int64_t>(hours_d);
  std::snprintf(buf, sizeof(buf), "%" PRId64 "d %02" PRId64 "h", hours / 24, hours % 24);
  return sign + buf;
}

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  double a = std::fabs(value);
  if (a >= 1e15) return Printf("%.6g", value);
  if (value == std::floor(value)) return Printf("%.0f", value);
  if (a < 1e-3) return Printf("%.4g", value);
  std::string s = Printf("%.4f", value);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string FormatNumberExact(double value) { return query::ExactNumberText(value); }

std::string FormatTime(int64_t epoch_ms, const std::string& tz, bool date_only) {
  if (!date_only) return query::Rfc3339InZone(epoch_ms, tz);
  int64_t secs = 0;
  int millis = 0;
  SplitMillis(epoch_ms, &secs, &millis);
  cctz::civil_second cs = LoadZone(tz).lookup(Seconds(std::chrono::seconds(secs))).cs;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(cs.year()), cs.month(), cs.day());
  return buf;
}

bool IsLocalMidnight(int64_t epoch_ms, const std::string& tz) {
  int64_t secs = 0;
  int millis = 0;
  SplitMillis(epoch_ms, &secs, &millis);
  if (millis != 0) return false;
  cctz::time_zone::absolute_lookup al = LoadZone(tz).lookup(Seconds(std::chrono::seconds(secs)));
  return al.cs.hour() == 0 && al.cs.minute() == 0 && al.cs.second() == 0;
}

std::string CsvField(std::string_view text) {
  bool quote = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  for (char c : text) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string JsonString(std::string_view text) { return query::JsonString(text); }

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  int lead = static_cast<int>(digits.size() % 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (static_cast<int>(i) - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  return buf;
}

}  // namespace kpi::cli
