// TabSeparated answers (see clickhouse/result_tsv.h).
#include "clickhouse/result_tsv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace kpi::clickhouse {

std::vector<std::vector<std::string>> SplitTsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      rows.push_back(std::move(row));
      row.assign(1, "");
    } else if (c == '\t') {
      row.emplace_back();
    } else if (c == '\\' && i + 1 < text.size()) {
      const char n = text[++i];
      if (n == 'N' && row.back().empty()) {
        row.back() = "\\N";
        continue;
      }
      row.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n == '0' ? '\0' : n == 'r' ? '\r' : n == 'b' ? '\b' : n == 'f' ? '\f' : n;
    } else {
      row.back() += c;
    }
  }
  if (row.size() > 1 || !row[0].empty()) rows.push_back(std::move(row));
  return rows;
}

Status ReadTsvResult(const std::string& tsv, std::vector<query::ResultColumn> columns, query::Result* out) {
  out->columns = std::move(columns);
  out->rows.clear();
  for (auto& fields : SplitTsv(tsv)) {
    if (fields.size() != out->columns.size())
      return Status::Corruption("clickhouse answered a row of " + std::to_string(fields.size()) + " fields, expected " +
                                std::to_string(out->columns.size()));
    std::vector<query::Value> row;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& f = fields[i];
      if (f == "\\N") {
        row.push_back(query::Value::Null());
        continue;
      }
      const double x = std::strtod(f.c_str(), nullptr);
      switch (out->columns[i].type) {
        case query::ValueType::kBool: row.push_back(query::Value::Bool(x != 0)); break;
        case query::ValueType::kNumber:
          row.push_back(std::isfinite(x) ? query::Value::Number(x) : query::Value::Null());
          break;
        case query::ValueType::kDuration:
          row.push_back(std::isfinite(x) ? query::Value::Duration(x) : query::Value::Null());
          break;
        case query::ValueType::kTime: row.push_back(query::Value::Time(static_cast<int64_t>(std::llround(x)))); break;
        case query::ValueType::kString: row.push_back(query::Value::String(f)); break;
        case query::ValueType::kNull: row.push_back(query::Value::Null()); break;
      }
    }
    out->rows.push_back(std::move(row));
  }
  return Status::OK();
}

Status ReadInt64Row(const std::string& tsv, size_t fields, const std::string& what, std::vector<int64_t>* out) {
  const auto rows = SplitTsv(tsv);
  out->assign(fields, 0);
  bool ok = rows.size() == 1 && rows[0].size() == fields;
  for (size_t i = 0; ok && i < fields; ++i) {
    const std::string& f = rows[0][i];
    ok = std::from_chars(f.data(), f.data() + f.size(), (*out)[i]).ec == std::errc();
  }
  if (!ok) return Status::Corruption("clickhouse: " + what + " did not read: " + tsv.substr(0, 200));
  return Status::OK();
}

}  // namespace kpi::clickhouse
