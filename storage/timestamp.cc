// Hand-written RFC 3339 parsing: it runs once per ingested event, so it
// avoids sscanf, regex and locales, and builds an error string only on
// failure.
#include "storage/timestamp.h"

#include <cstring>

namespace kpi {

namespace {

constexpr int64_t kMillisPerDay = 86400000;
// First instant past the accepted range: 2201-01-01T00:00:00Z.
constexpr int64_t kEndDays = 84371;  // DaysFromCivil(2201, 1, 1), checked in tests
constexpr int64_t kEndMillis = kEndDays * kMillisPerDay;

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Reads exactly two digits at p[0..1]; the caller checked the length.
inline bool TwoDigits(const char* p, int* value) {
  if (!IsDigit(p[0]) || !IsDigit(p[1])) return false;
  *value = (p[0] - '0') * 10 + (p[1] - '0');
  return true;
}

inline bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned char kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29u : kDays[m - 1];
}

inline bool Fail(std::string* error, std::string reason) {
  if (error != nullptr) *error = std::move(reason);
  return false;
}

std::string Quoted(std::string_view text) {
  // Bounded so that a hostile megabyte-long value does not end up in a reason.
  constexpr size_t kMax = 40;
  std::string out = "\"";
  if (text.size() <= kMax) {
    out.append(text);
  } else {
    size_t cut = kMax;
    // Do not split a UTF-8 sequence: back up to a lead byte.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    out.append(text.substr(0, cut));
    out.append("...");
  }
  out.push_back('"');
  return out;
}

std::string TwoDigitString(int v) {
  std::string s(2, '0');
  s[0] = static_cast<char>('0' + v / 10);
  s[1] = static_cast<char>('0' + v % 10);
  return s;
}

// Parses `YYYY-MM-DD` at the start of `text`; on success *consumed = 10.
bool ParseDatePart(std::string_view text, int* year, int* month, int* day, std::string* error) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t digits = 0;
  while (digits < n && digits < 12 && IsDigit(p[digits])) ++digits;
  if (digits > 4 && digits < 12 && digits < n && p[digits] == '-') {
    // A data-entry error such as 20250-03-01: name the year.
    return Fail(error, "year " + std::string(text.substr(0, digits)) + " outside 1970..2200");
  }
  if (digits != 4 || n < 10 || p[4] != '-' || p[7] != '-') {
    return Fail(error, "malformed timestamp " + Quoted(text) + " (expected YYYY-MM-DDThh:mm:ss)");
  }
  int y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  int m, d;
  if (!TwoDigits(p + 5, &m) || !TwoDigits(p + 8, &d)) {
    return Fail(error, "malformed timestamp " + Quoted(text) + " (expected YYYY-MM-DDThh:mm:ss)");
  }
  if (y < kMinYear || y > kMaxYear) {
    return Fail(error, "year " + std::to_string(y) + " outside 1970..2200");
  }
  if (m < 1 || m > 12) return Fail(error, "month " + TwoDigitString(m) + " out of range");
  if (d < 1 || static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(m))) {
    return Fail(error, "day " + TwoDigitString(d) + " out of range for " + std::to_string(y) + "-" +
                           TwoDigitString(m));
  }
  *year = y;
  *month = m;
  *day = d;
  return true;
}

}  // namespace

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  const int64_t y = static_cast<int64_t>(year) - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                          // [0, 399]
  const int64_t mp = (static_cast<int64_t>(month) + 9) % 12;                  // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + static_cast<int64_t>(day) - 1;     // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                  // [0, 146096]
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t days, int* year, unsigned* month, unsigned* day) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;                                // [1, 12]
  *year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  *month = static_cast<unsigned>(m);
  *day = static_cast<unsigned>(d);
}

bool ValidEpochMillis(int64_t epoch_ms) { return epoch_ms >= 0 && epoch_ms < kEndMillis; }

bool ParseDate(std::string_view text, int64_t* days, std::string* error) {
  int y, m, d;
  if (!ParseDatePart(text, &y, &m, &d, error)) return false;
  if (text.size() != 10) {
    return Fail(error, "malformed date " + Quoted(text) + " (expected YYYY-MM-DD)");
  }
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

bool ParseRfc3339(std::string_view text, int64_t* epoch_ms, std::string* error,
                  bool assume_utc_if_no_zone) {
  if (text.empty()) return Fail(error, "empty timestamp");
  int year, month, day;
  if (!ParseDatePart(text, &year, &month, &day, error)) return false;

  const char* p = text.data();
  const size_t n = text.size();
  // Date and time: "YYYY-MM-DDThh:mm:ss" is 19 bytes.
  if (n < 19 || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') || p[13] != ':' || p[16] != ':') {
    if (n == 10) return Fail(error, "date without time " + Quoted(text));
    return Fail(error, "malformed timestamp " + Quoted(text) + " (expected YYYY-MM-DDThh:mm:ss)");
  }
  int hour, minute, second;
  if (!TwoDigits(p + 11, &hour) || !TwoDigits(p + 14, &minute) || !TwoDigits(p + 17, &second)) {
    return Fail(error, "malformed timestamp " + Quoted(text) + " (expected YYYY-MM-DDThh:mm:ss)");
  }
  if (hour > 23) return Fail(error, "hour " + TwoDigitString(hour) + " out of range");
  if (minute > 59) return Fail(error, "minute " + TwoDigitString(minute) + " out of range");
  if (second == 60) return Fail(error, "leap second :60 not accepted");
  if (second > 59) return Fail(error, "second " + TwoDigitString(second) + " out of range");

  size_t i = 19;
  int millis = 0;
  if (i < n && p[i] == '.') {
    ++i;
    const size_t start = i;
    // Milliseconds from the first three digits; further digits are truncated.
    while (i < n && IsDigit(p[i])) {
      if (i - start < 3) millis = millis * 10 + (p[i] - '0');
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0) return Fail(error, "empty fraction in " + Quoted(text));
    if (digits == 1) millis *= 100;
    if (digits == 2) millis *= 10;
  }

  int64_t offset_minutes = 0;
  if (i == n) {
    if (!assume_utc_if_no_zone) return Fail(error, "missing zone offset in " + Quoted(text));
  } else if (p[i] == 'Z' || p[i] == 'z') {
    ++i;
  } else if (p[i] == '+' || p[i] == '-') {
    int oh, om;
    if (n - i < 6 || p[i + 3] != ':' || !TwoDigits(p + i + 1, &oh) || !TwoDigits(p + i + 4, &om)) {
      return Fail(error, "malformed zone offset in " + Quoted(text) + " (expected +hh:mm)");
    }
    if (oh > 23 || om > 59) {
      return Fail(error, "zone offset " + std::string(text.substr(i, 6)) + " out of range");
    }
    offset_minutes = oh * 60 + om;
    if (p[i] == '-') offset_minutes = -offset_minutes;
    i += 6;
  } else {
    return Fail(error, "unexpected characters after the time in " + Quoted(text));
  }
  if (i != n) return Fail(error, "trailing characters after timestamp " + Quoted(text));

  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t local_seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  const int64_t ms = (local_seconds - offset_minutes * 60) * 1000 + millis;
  if (!ValidEpochMillis(ms)) {
    return Fail(error, "instant " + Quoted(text) + " outside 1970..2200 in UTC");
  }
  *epoch_ms = ms;
  return true;
}

std::string FormatRfc3339(int64_t epoch_ms) {
  // Floor division so that instants before 1970 print correctly too.
  int64_t days = epoch_ms / kMillisPerDay;
  int64_t rem = epoch_ms % kMillisPerDay;
  if (rem < 0) {
    rem += kMillisPerDay;
    --days;
  }
  int year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  const int ms_of_day = static_cast<int>(rem);
  const int hour = ms_of_day / 3600000;
  const int minute = ms_of_day / 60000 % 60;
  const int second = ms_of_day / 1000 % 60;
  const int millis = ms_of_day % 1000;

  char buf[32];
  char* p = buf;
  if (year >= 0 && year <= 9999) {
    *p++ = static_cast<char>('0' + year / 1000);
    *p++ = static_cast<char>('0' + year / 100 % 10);
    *p++ = static_cast<char>('0' + year / 10 % 10);
    *p++ = static_cast<char>('0' + year % 10);
  } else {
    const std::string y = std::to_string(year);
    std::memcpy(p, y.data(), y.size());
    p += y.size();
  }
  auto two = [&p](int v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  *p++ = '-';
  two(static_cast<int>(month));
  *p++ = '-';
  two(static_cast<int>(day));
  *p++ = 'T';
  two(hour);
  *p++ = ':';
  two(minute);
  *p++ = ':';
  two(second);
  *p++ = '.';
  *p++ = static_cast<char>('0' + millis / 100);
  *p++ = static_cast<char>('0' + millis / 10 % 10);
  *p++ = static_cast<char>('0' + millis % 10);
  *p++ = 'Z';
  return std::string(buf, static_cast<size_t>(p - buf));
}

}  // namespace kpi
