// Result rendering for HTTP (see server/result_render.h).
#include "server/result_render.h"

#include <algorithm>
#include <cstdint>

#include "query/evaluation/provenance.h"
#include "query/value_json.h"
#include "server/json_text.h"

namespace kpi::server {

namespace {

using query::Value;
using query::ValueType;

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

void AppendCsvValue(std::string* out, const Value& v, const query::JsonValueWriter& writer) {
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
    case ValueType::kTime: writer.AppendTime(out, v.time_ms); return;
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

std::string FormatTimeInZone(int64_t epoch_ms, const std::string& tz) { return query::Rfc3339InZone(epoch_ms, tz); }

std::string RenderResultJson(const query::Result& result) {
  bool complete = true;
  return RenderResultJson(result, UINT64_MAX, &complete);
}

std::string RenderResultCsv(const query::Result& result) {
  bool complete = true;
  return RenderResultCsv(result, UINT64_MAX, &complete);
}

std::string RenderResultJson(const query::Result& result, uint64_t max_bytes, bool* complete) {
  *complete = true;
  const query::JsonValueWriter writer(result.tz);
  std::string out;
  out.reserve(static_cast<size_t>(
      std::min<uint64_t>(max_bytes, 256 + result.rows.size() * (16 + 12 * result.columns.size()))));
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
    writer.AppendRow(&out, result.rows[r], result.columns.size());
    if (out.size() > max_bytes) {
      *complete = false;
      return out;
    }
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
  if (result.provenance.present) {
    out.append(",\"provenance\":");
    query::AppendProvenanceJson(&out, result.provenance);
  }
  out.append("}\n");
  return out;
}

std::string RenderResultCsv(const query::Result& result, uint64_t max_bytes, bool* complete) {
  *complete = true;
  const query::JsonValueWriter writer(result.tz);
  std::string out;
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(&out, result.columns[i].name);
  }
  out.push_back('\n');
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendCsvValue(&out, CellAt(row, c), writer);
    }
    out.push_back('\n');
    if (out.size() > max_bytes) {
      *complete = false;
      return out;
    }
  }
  return out;
}

std::string RenderRowsAsObjects(const query::Result& result) {
  const query::JsonValueWriter writer(result.tz);
  std::string out = "[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (r > 0) out.push_back(',');
    out.push_back('{');
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendJsonString(&out, result.columns[c].name);
      out.push_back(':');
      writer.Append(&out, CellAt(result.rows[r], c));
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace kpi::server
