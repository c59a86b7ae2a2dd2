// Result rendering for HTTP (see server/result_render.h).
#include "server/result_render.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "server/json_text.h"

namespace kpi::server {

namespace {

using query::Value;
using query::ValueType;

cctz::time_zone LoadZone(const std::string& name) {
  cctz::time_zone zone;
  if (name.empty() || name == "UTC" || !cctz::load_time_zone(name, &zone)) return cctz::utc_time_zone();
  return zone;
}

void AppendTime(std::string* out, int64_t epoch_ms, const cctz::time_zone& zone) {
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
  if (al.offset == 0) {
    out->push_back('Z');
  } else {
    int off = al.offset, sign = off < 0 ? -1 : 1;
    off *= sign;
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign < 0 ? '-' : '+', off / 3600, off / 60 % 60);
    out->append(buf, static_cast<size_t>(n));
  }
}

void AppendJsonValue(std::string* out, const Value& v, const cctz::time_zone& zone) {
  switch (v.type) {
    case ValueType::kNull: out->append("null"); return;
    case ValueType::kBool: out->append(v.boolean ? "true" : "false"); return;
    case ValueType::kNumber:
    case ValueType::kDuration: AppendJsonNumber(out, v.number); return;
    case ValueType::kTime:
      out->push_back('"');
      AppendTime(out, v.time_ms, zone);
      out->push_back('"');
      return;
    case ValueType::kString: AppendJsonString(out, v.text); return;
  }
  out->append("null");
}

void AppendCsvField(std::string* out, std::string_view text) {
  bool quote = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  for (char c : text) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') quote = true;
  }
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvValue(std::string* out, const Value& v, const cctz::time_zone& zone) {
  switch (v.type) {
    case ValueType::kNull: return;
    case ValueType::kBool: out->append(v.boolean ? "true" : "false"); return;
    case ValueType::kNumber:
    case ValueType::kDuration: {
      std::string n;
      AppendJsonNumber(&n, v.number);
      if (n != "null") out->append(n);
      return;
    }
    case ValueType::kTime: AppendTime(out, v.time_ms, zone); return;
    case ValueType::kString: AppendCsvField(out, v.text); return;
  }
}

const Value& CellAt(const std::vector<Value>& row, size_t i) {
  static const Value kNull;
  return i < row.size() ? row[i] : kNull;
}

void AppendUint(std::string* out, const char* key, uint64_t n) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
  out->append(std::to_string(n));
}

}  // namespace

std::string FormatTimeInZone(int64_t epoch_ms, const std::string& tz) {
  std::string out;
  AppendTime(&out, epoch_ms, LoadZone(tz));
  return out;
}

std::string RenderResultJson(const query::Result& result) {
  cctz::time_zone zone = LoadZone(result.tz);
  std::string out;
  out.reserve(256 + result.rows.size() * (16 + 12 * result.columns.size()));
  out.append("{\"columns\":[");
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"name\":");
    AppendJsonString(&out, result.columns[i].name);
    out.append(",\"type\":");
    AppendJsonString(&out, query::ValueTypeName(result.columns[i].type));
    out.push_back('}');
  }
  out.append("],\"rows\":[");
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r > 0) out.push_back(',');
    out.push_back('[');
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendJsonValue(&out, CellAt(result.rows[r], c), zone);
    }
    out.push_back(']');
  }
  out.append("],\"warnings\":[");
  for (size_t i = 0; i < result.warnings.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(&out, result.warnings[i]);
  }
  out.append("],\"stats\":{");
  const query::ExecStats& s = result.stats;
  AppendUint(&out, "rows_read", s.rows_read);
  out.push_back(',');
  AppendUint(&out, "partitions_scanned", s.partitions_scanned);
  out.push_back(',');
  AppendUint(&out, "partitions_skipped", s.partitions_skipped);
  out.push_back(',');
  AppendUint(&out, "segments_scanned", s.segments_scanned);
  out.push_back(',');
  AppendUint(&out, "segments_skipped", s.segments_skipped);
  out.append(",\"elapsed_ms\":");
  AppendJsonNumber(&out, s.elapsed_ms);
  out.push_back('}');
  if (!result.message.empty()) {
    out.append(",\"message\":");
    AppendJsonString(&out, result.message);
  }
  out.append("}\n");
  return out;
}

std::string RenderResultCsv(const query::Result& result) {
  cctz::time_zone zone = LoadZone(result.tz);
  std::string out;
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(&out, result.columns[i].name);
  }
  out.push_back('\n');
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendCsvValue(&out, CellAt(row, c), zone);
    }
    out.push_back('\n');
  }
  return out;
}

std::string RenderRowsAsObjects(const query::Result& result) {
  cctz::time_zone zone = LoadZone(result.tz);
  std::string out = "[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r > 0) out.push_back(',');
    out.push_back('{');
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendJsonString(&out, result.columns[c].name);
      out.push_back(':');
      AppendJsonValue(&out, CellAt(result.rows[r], c), zone);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace kpi::server
