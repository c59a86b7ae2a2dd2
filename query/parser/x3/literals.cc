#include "query/parser/x3/literals.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "query/parser/x3/quoted_text.h"

namespace kpi::query::x3p {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the numeric part (digits [. digits] [e [+-] digits]) at the
// start of `t`; 0 when `t` does not start with a digit.
size_t NumericPrefix(std::string_view t) {
  size_t i = 0;
  while (i < t.size() && IsDigit(t[i])) ++i;
  if (i == 0) return 0;
  if (i + 1 < t.size() && t[i] == '.' && IsDigit(t[i + 1])) {
    i += 2;
    while (i < t.size() && IsDigit(t[i])) ++i;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    size_t j = i + 1;
    if (j < t.size() && (t[j] == '+' || t[j] == '-')) ++j;
    if (j < t.size() && IsDigit(t[j])) {
      while (j < t.size() && IsDigit(t[j])) ++j;
      i = j;
    }
  }
  return i;
}

bool ReadDouble(std::string_view digits, double* out) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// Reads exactly `n` digits at `*i`.
bool Digits(std::string_view t, size_t* i, int n, int* out) {
  int v = 0;
  for (int k = 0; k < n; ++k) {
    if (*i >= t.size() || !IsDigit(t[*i])) return false;
    v = v * 10 + (t[*i] - '0');
    ++*i;
  }
  *out = v;
  return true;
}

bool Char(std::string_view t, size_t* i, char c) {
  if (*i >= t.size() || t[*i] != c) return false;
  ++*i;
  return true;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

struct Unit {
  const char* name;
  double seconds;
};
constexpr Unit kUnits[] = {{"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};

}  // namespace

bool ReadNumberToken(std::string_view token, ast::ExprKind* kind, double* value, std::string* why) {
  const size_t n = NumericPrefix(token);
  if (n == 0) {
    *why = "bad number '" + std::string(token) + "'";
    return false;
  }
  double v = 0;
  if (!ReadDouble(token.substr(0, n), &v)) {
    *why = "number '" + std::string(token) + "' is out of range";
    return false;
  }
  const std::string_view suffix = token.substr(n);
  if (suffix.empty()) {
    *kind = ast::ExprKind::kNumber;
    *value = v;
    return true;
  }
  if (suffix == "%") {
    *kind = ast::ExprKind::kPercent;
    *value = v / 100;
    return true;
  }
  double scaled = 0;
  if (suffix == "ms") {
    scaled = v / 1000;  // division keeps 1ms == 0.001 exactly as written
  } else {
    bool known = false;
    for (const Unit& u : kUnits) {
      if (suffix == u.name) {
        scaled = v * u.seconds;
        known = true;
      }
    }
    if (!known) {
      *why = "bad number '" + std::string(token) + "': unknown unit '" + std::string(suffix) +
             "' (durations take ms, s, m, h, d or w; percentages take %)";
      return false;
    }
  }
  if (!std::isfinite(scaled)) {
    *why = "duration '" + std::string(token) + "' is out of range";
    return false;
  }
  *kind = ast::ExprKind::kDuration;
  *value = scaled;
  return true;
}

bool ValidateTimeToken(std::string_view t, std::string* why) {
  const std::string quoted = "'" + std::string(t) + "'";
  size_t i = 0;
  int y = 0, mo = 0, d = 0;
  if (!Digits(t, &i, 4, &y) || !Char(t, &i, '-') || !Digits(t, &i, 2, &mo) || !Char(t, &i, '-') ||
      !Digits(t, &i, 2, &d)) {
    *why = "bad date " + quoted + ": dates are written YYYY-MM-DD";
    return false;
  }
  if (mo < 1 || mo > 12) {
    *why = "bad date " + quoted + ": month must be 01 to 12";
    return false;
  }
  if (d < 1 || d > DaysInMonth(y, mo)) {
    *why = "bad date " + quoted + ": day out of range for the month";
    return false;
  }
  if (i == t.size()) return true;
  const char* const kShape = ": timestamps are written YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm|-hh:mm]";
  if (t[i] != 'T' && t[i] != 't' && t[i] != ' ') {
    *why = "bad timestamp " + quoted + kShape;
    return false;
  }
  ++i;
  int h = 0, mi = 0, s = 0;
  if (!Digits(t, &i, 2, &h) || !Char(t, &i, ':') || !Digits(t, &i, 2, &mi) || !Char(t, &i, ':') ||
      !Digits(t, &i, 2, &s)) {
    *why = "bad timestamp " + quoted + kShape;
    return false;
  }
  if (h > 23 || mi > 59 || s > 59) {
    *why = "bad timestamp " + quoted + ": time of day out of range";
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i == start || i - start > 9) {
      *why = "bad timestamp " + quoted + ": fractional seconds need 1 to 9 digits";
      return false;
    }
  }
  if (i == t.size()) return true;  // no offset: read in the query's time zone
  if (t[i] == 'Z' || t[i] == 'z') {
    ++i;
  } else if (t[i] == '+' || t[i] == '-') {
    ++i;
    int oh = 0, om = 0;
    if (!Digits(t, &i, 2, &oh) || !Char(t, &i, ':') || !Digits(t, &i, 2, &om) || oh > 23 || om > 59) {
      *why = "bad timestamp " + quoted + ": the UTC offset is written +hh:mm or -hh:mm";
      return false;
    }
  }
  if (i != t.size()) {
    *why = "bad timestamp " + quoted + kShape;
    return false;
  }
  return true;
}

std::string ShortestDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

namespace {

// True when `text` reads back as `kind`/`value` exactly.
bool ReadsBack(const std::string& text, ast::ExprKind kind, double value) {
  ast::ExprKind k;
  double v;
  std::string why;
  return ReadNumberToken(text, &k, &v, &why) && k == kind && v == value;
}

}  // namespace

std::string FormatNumberLiteral(ast::ExprKind kind, double value) {
  if (!std::isfinite(value) || value < 0 || (kind != ast::ExprKind::kPercent && kind != ast::ExprKind::kDuration))
    return ShortestDouble(value);
  if (kind == ast::ExprKind::kPercent) {
    // value is p / 100 for some written p; p lies within a few ulps of value * 100.
    double p = value * 100;
    std::string text = ShortestDouble(p) + "%";
    if (ReadsBack(text, kind, value)) return text;
    double up = p, down = p;
    for (int step = 0; step < 8; ++step) {
      up = std::nextafter(up, INFINITY);
      down = std::nextafter(down, -INFINITY);
      for (double c : {up, down}) {
        std::string t = ShortestDouble(c) + "%";
        if (ReadsBack(t, kind, value)) return t;
      }
    }
    return text;
  }
  if (value == 0) return "0s";
  for (const Unit& u : kUnits) {
    const double k = value / u.seconds;
    if (k >= 1 && k == std::floor(k) && k * u.seconds == value) {
      std::string text = ShortestDouble(k) + u.name;
      if (ReadsBack(text, kind, value)) return text;
    }
  }
  std::string seconds = ShortestDouble(value) + "s";
  if (ReadsBack(seconds, kind, value)) return seconds;
  return ShortestDouble(value * 1000) + "ms";
}

std::string QuoteString(std::string_view text) { return QuoteWith(text, '"'); }

}  // namespace kpi::query::x3p
