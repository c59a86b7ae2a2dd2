// The JSON rendering of result values (see query/value_json.h).
#include "query/value_json.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "query/text_width.h"

namespace kpi::query {

namespace {

cctz::time_zone LoadZone(const std::string& name) {
  cctz::time_zone zone;
  if (name.empty() || name == "UTC" || !cctz::load_time_zone(name, &zone)) return cctz::utc_time_zone();
  return zone;
}

void AppendTimeIn(std::string* out, int64_t epoch_ms, const cctz::time_zone& zone) {
  // Floor division so instants before 1970 keep a non-negative millisecond part.
  int64_t secs = epoch_ms / 1000, ms = epoch_ms % 1000;
  if (ms < 0) ms += 1000, secs -= 1;
  auto tp = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(std::chrono::seconds(secs));
  cctz::time_zone::absolute_lookup al = zone.lookup(tp);
  const cctz::civil_second& cs = al.cs;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(cs.year()),
                        cs.month(), cs.day(), cs.hour(), cs.minute(), cs.second());
  out->append(buf, static_cast<size_t>(n));
  if (ms != 0) {
    n = std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms));
    out->append(buf, static_cast<size_t>(n));
  }
  // "Z" names UTC itself; a zone that is only at offset zero (London in
  // winter) keeps its numeric offset.
  if (zone == cctz::utc_time_zone()) {
    out->push_back('Z');
    return;
  }
  int off = al.offset;
  const char sign = off < 0 ? '-' : '+';
  off = std::abs(off);
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, off / 3600, off / 60 % 60);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(text, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that starts no valid sequence
        ++i;
      } else {
        out->append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonString(&out, text);
  return out;
}

std::string ExactNumberText(double value) {
  if (value == 0) value = 0;  // -0 prints as 0
  char buf[64];
  // Whole numbers print in full (1000000, not the shorter 1e+06) while they
  // are exact; everything else in the shortest form that reads back exactly.
  const bool whole = std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15;
  auto [end, ec] = whole ? std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) {  // cannot happen with 64 bytes; keep a readable answer anyway
    std::snprintf(buf, sizeof buf, "%.17g", value);
    return buf;
  }
  return std::string(buf, end);
}

void AppendJsonNumber(std::string* out, double value) {
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  out->append(ExactNumberText(value));
}

std::string Rfc3339InZone(int64_t epoch_ms, const std::string& tz) {
  std::string out;
  AppendTimeIn(&out, epoch_ms, LoadZone(tz));
  return out;
}

struct JsonValueWriter::Zone {
  cctz::time_zone zone;
};

JsonValueWriter::JsonValueWriter(const std::string& tz) : zone_(new Zone{LoadZone(tz)}) {}
JsonValueWriter::~JsonValueWriter() = default;

void JsonValueWriter::AppendTime(std::string* out, int64_t epoch_ms) const { AppendTimeIn(out, epoch_ms, zone_->zone); }

void JsonValueWriter::Append(std::string* out, const Value& v) const {
  switch (v.type) {
    case ValueType::kNull: out->append("null"); return;
    case ValueType::kBool: out->append(v.boolean ? "true" : "false"); return;
    case ValueType::kNumber:
    case ValueType::kDuration: AppendJsonNumber(out, v.number); return;
    case ValueType::kTime:
      out->push_back('"');
      AppendTime(out, v.time_ms);
      out->push_back('"');
      return;
    case ValueType::kString: AppendJsonString(out, v.text); return;
  }
  out->append("null");
}

void JsonValueWriter::AppendRow(std::string* out, const std::vector<Value>& row, size_t ncols) const {
  out->push_back('[');
  for (size_t c = 0; c < ncols; ++c) {
    if (c > 0) out->push_back(',');
    if (c < row.size()) {
      Append(out, row[c]);
    } else {
      out->append("null");
    }
  }
  out->push_back(']');
}

}  // namespace kpi::query
