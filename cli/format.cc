// Table, CSV and JSON renderings of a query::Result (see cli/format.h).
#include "cli/format.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "query/evaluation/provenance.h"
#include "query/text_width.h"
#include "query/value_json.h"

namespace kpi::cli {

namespace {

using query::Result;
using query::Value;
using query::ValueType;

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kNull: return "null";
    case ValueType::kBool: return "bool";
    case ValueType::kNumber: return "number";
    case ValueType::kDuration: return "duration";
    case ValueType::kTime: return "time";
    case ValueType::kString: return "string";
  }
  return "null";
}

const Value& Cell(const std::vector<Value>& row, size_t column) {
  static const Value kNull;
  return column < row.size() ? row[column] : kNull;
}

using query::DisplayWidth;  // terminal cells: 2 for CJK, 0 for combining marks

bool RightAligned(ValueType t) { return t == ValueType::kNumber || t == ValueType::kDuration; }

// The column's type for alignment: its declared type, or the first non-null
// cell's when declared null.
ValueType EffectiveType(const Result& r, size_t column) {
  ValueType t = r.columns[column].type;
  if (t != ValueType::kNull) return t;
  for (const auto& row : r.rows) {
    const Value& v = Cell(row, column);
    if (!v.is_null()) return v.type;
  }
  return t;
}

// Buckets (day, week, month...) print as dates: every non-null time in the
// column is at local midnight.
bool AllMidnight(const Result& r, size_t column) {
  bool any = false;
  for (const auto& row : r.rows) {
    const Value& v = Cell(row, column);
    if (v.is_null()) continue;
    if (v.type != ValueType::kTime || !IsLocalMidnight(v.time_ms, r.tz)) return false;
    any = true;
  }
  return any;
}

std::string TableCell(const Value& v, const std::string& tz, bool date_only) {
  switch (v.type) {
    case ValueType::kNull: return "NULL";
    case ValueType::kBool: return v.boolean ? "true" : "false";
    case ValueType::kNumber: return FormatNumber(v.number);
    case ValueType::kDuration: return FormatDuration(v.number);
    case ValueType::kTime: return FormatTime(v.time_ms, tz, date_only);
    case ValueType::kString: return Printable(v.text);
  }
  return "";
}

// Numbers in CSV and JSON: exact; non-finite has no JSON form.
std::string MachineNumber(double d, const char* non_finite) {
  if (!std::isfinite(d)) return non_finite;
  return FormatNumberExact(d);
}

std::string CsvCell(const Value& v, const std::string& tz) {
  switch (v.type) {
    case ValueType::kNull: return "";
    case ValueType::kBool: return v.boolean ? "true" : "false";
    case ValueType::kNumber:
    case ValueType::kDuration: return MachineNumber(v.number, std::isnan(v.number) ? "NaN" : v.number > 0 ? "inf" : "-inf");
    case ValueType::kTime: return FormatTime(v.time_ms, tz);
    case ValueType::kString: return CsvField(v.text);
  }
  return "";
}

void AppendPadded(std::string* out, const std::string& text, size_t width, bool right) {
  size_t w = DisplayWidth(text);
  size_t pad = width > w ? width - w : 0;
  if (right) out->append(pad, ' ');
  out->append(text);
  if (!right) out->append(pad, ' ');
}

// Control characters as Printable and PrintableLines show them.
std::string ShowControls(std::string_view s, bool keep_lines) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (keep_lines && (c == '\n' || c == '\t')) {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r' && !keep_lines) {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7F) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Printable(std::string_view s) { return ShowControls(s, false); }
std::string PrintableLines(std::string_view s) { return ShowControls(s, true); }

std::string DisplayCell(const Value& value, const std::string& tz, bool date_only) {
  return TableCell(value, tz, date_only);
}

bool ColumnShowsDates(const Result& result, size_t column) { return AllMidnight(result, column); }

bool ParseOutputFormat(std::string_view name, OutputFormat* out) {
  if (name == "table") {
    *out = OutputFormat::kTable;
  } else if (name == "csv") {
    *out = OutputFormat::kCsv;
  } else if (name == "json") {
    *out = OutputFormat::kJson;
  } else {
    return false;
  }
  return true;
}

std::string FormatResult(const Result& result, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return FormatTable(result);
    case OutputFormat::kCsv: return FormatCsv(result);
    case OutputFormat::kJson: return FormatJson(result);
  }
  return FormatTable(result);
}

std::string FormatTable(const Result& r) {
  if (r.columns.empty()) return r.message.empty() ? std::string() : r.message + "\n";
  const size_t ncols = r.columns.size();
  std::vector<bool> right(ncols), date_only(ncols);
  std::vector<size_t> width(ncols);
  std::vector<std::string> header(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    ValueType t = EffectiveType(r, c);
    right[c] = RightAligned(t);
    date_only[c] = t == ValueType::kTime && AllMidnight(r, c);
    header[c] = Printable(r.columns[c].name);
    width[c] = DisplayWidth(header[c]);
  }
  std::vector<std::vector<std::string>> cells(r.rows.size(), std::vector<std::string>(ncols));
  for (size_t i = 0; i < r.rows.size(); ++i) {
    for (size_t c = 0; c < ncols; ++c) {
      cells[i][c] = TableCell(Cell(r.rows[i], c), r.tz, date_only[c]);
      width[c] = std::max(width[c], DisplayWidth(cells[i][c]));
    }
  }
  std::string out;
  auto append_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < ncols; ++c) {
      if (c != 0) line += " | ";
      AppendPadded(&line, row[c], width[c], right[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  append_row(header);
  for (size_t c = 0; c < ncols; ++c) {
    if (c != 0) out += "-+-";
    out.append(width[c], '-');
  }
  out += '\n';
  for (const auto& row : cells) append_row(row);
  out += "(" + FormatCount(r.rows.size()) + (r.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string FormatCsv(const Result& r) {
  if (r.columns.empty()) return r.message.empty() ? std::string() : CsvField(r.message) + "\n";
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) {
    if (c != 0) out += ',';
    out += CsvField(r.columns[c].name);
  }
  out += '\n';
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < r.columns.size(); ++c) {
      if (c != 0) out += ',';
      out += CsvCell(Cell(row, c), r.tz);
    }
    out += '\n';
  }
  return out;
}

std::string FormatJson(const Result& r) {
  std::string out = "{\"columns\":[";
  for (size_t c = 0; c < r.columns.size(); ++c) {
    if (c != 0) out += ',';
    out += "{\"name\":" + JsonString(r.columns[c].name) + ",\"type\":\"" + TypeName(r.columns[c].type) + "\"}";
  }
  out += "],\"rows\":[";
  const query::JsonValueWriter writer(r.tz);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    if (i != 0) out += ',';
    writer.AppendRow(&out, r.rows[i], r.columns.size());
  }
  out += "],\"warnings\":[";
  for (size_t i = 0; i < r.warnings.size(); ++i) {
    if (i != 0) out += ',';
    out += JsonString(r.warnings[i]);
  }
  out += "]";
  if (!r.message.empty()) out += ",\"message\":" + JsonString(r.message);
  if (r.provenance.present) {
    out += ",\"provenance\":";
    query::AppendProvenanceJson(&out, r.provenance);
  }
  const query::ExecStats& s = r.stats;
  out += ",\"stats\":{\"rows_read\":" + std::to_string(s.rows_read) +
         ",\"partitions_scanned\":" + std::to_string(s.partitions_scanned) +
         ",\"partitions_skipped\":" + std::to_string(s.partitions_skipped) +
         ",\"segments_scanned\":" + std::to_string(s.segments_scanned) +
         ",\"segments_skipped\":" + std::to_string(s.segments_skipped) +
         ",\"elapsed_ms\":" + MachineNumber(s.elapsed_ms, "null") + "}}\n";
  return out;
}

std::string FormatProvenance(const query::Provenance& p) {
  if (!p.present) return "";
  std::string out = "provenance:\n  as of:       " + query::Rfc3339InZone(p.as_of_ms, "UTC") + "\n";
  for (const query::DefinitionRef& d : p.definitions) {
    out += "  definition:  " + d.kind + " " + Printable(d.name) + ", version " +
           query::Rfc3339InZone(d.version_ms, "UTC") + "\n";
  }
  if (p.now_ms) out += "  now:         " + query::Rfc3339InZone(*p.now_ms, "UTC") + "\n";
  for (const query::ResolvedWindow& w : p.windows) {
    out += "  window:      " + w.during + " = " + query::Rfc3339InZone(w.start_ms, "UTC") + " .. " +
           query::Rfc3339InZone(w.end_ms, "UTC") + "\n";
  }
  // A multi-line statement keeps its lines, indented under the label.
  std::string statement;
  for (char c : p.statement) {
    statement += c;
    if (c == '\n') statement += "               ";
  }
  out += "  statement:   " + statement + "\n";
  out += "  result hash: " + p.result_hash + "\n";
  return out;
}

}  // namespace kpi::cli
