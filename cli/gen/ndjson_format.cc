// AppendNdjson: one RawEvent as one line of the interchange format, written
// with hand-rolled digit loops and std::to_chars (no iostreams, no printf)
// because `kpi gen` formats millions of events per second.
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/gen/generator.h"

namespace kpi::gen {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends `s` as a JSON string literal.
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t plain = 0;  // start of the pending run that needs no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + plain, s.size() - plain);
  out->push_back('"');
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

void AppendNumber(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");  // JSON has no NaN/Infinity; null means absent
    return;
  }
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    AppendInt(static_cast<int64_t>(v), out);  // also turns -0 into 0
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DDThh:mm:ss.mmmZ" for years 0000..9999, else the epoch
// milliseconds as a number (also valid in the format).
void AppendTimestamp(int64_t ms, std::string* out) {
  constexpr int64_t kDayMs = 86400000;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm);
  // the range check keeps every intermediate far from overflow.
  constexpr int64_t kMinMs = -62167219200000LL;  // 0000-01-01
  constexpr int64_t kMaxMs = 253402300799999LL;  // 9999-12-31T23:59:59.999
  if (ms < kMinMs || ms > kMaxMs) {
    AppendInt(ms, out);
    return;
  }
  int64_t days = ms / kDayMs;
  int64_t in_day = ms % kDayMs;
  if (in_day < 0) {
    in_day += kDayMs;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const unsigned day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  const unsigned year = static_cast<unsigned>(yoe + era * 400 + (month <= 2));

  char b[26] = "\"0000-00-00T00:00:00.000Z";
  Put2(b + 1, year / 100);
  Put2(b + 3, year % 100);
  Put2(b + 6, month);
  Put2(b + 9, day);
  const unsigned secs = static_cast<unsigned>(in_day / 1000);
  const unsigned millis = static_cast<unsigned>(in_day % 1000);
  Put2(b + 12, secs / 3600);
  Put2(b + 15, secs / 60 % 60);
  Put2(b + 18, secs % 60);
  b[21] = static_cast<char>('0' + millis / 100);
  Put2(b + 22, millis % 100);
  out->append(b, 25);
  out->push_back('"');
}

}  // namespace

void AppendNdjson(const RawEvent& e, std::string* out) {
  out->append("{\"ts\":");
  AppendTimestamp(e.ts_ms, out);
  out->append(",\"ticket\":");
  AppendJsonString(e.ticket, out);
  out->append(",\"event\":");
  AppendJsonString(e.event, out);
  if (!e.agent.empty()) {
    out->append(",\"agent\":");
    AppendJsonString(e.agent, out);
  }
  if (!e.id.empty()) {
    out->append(",\"id\":");
    AppendJsonString(e.id, out);
  }
  for (const auto& [key, value] : e.dims) {
    AppendKey(key, out);
    AppendJsonString(value, out);
  }
  for (const auto& [key, value] : e.measures) {
    AppendKey(key, out);
    AppendNumber(value, out);
  }
  out->append("}\n");
}

}  // namespace kpi::gen
