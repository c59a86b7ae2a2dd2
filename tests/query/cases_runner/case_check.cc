// Loading the case files and checking a result against an expectation (see
// tests/query/cases_runner/case_check.h).
#include "query/cases_runner/case_check.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "query/reference/reference_time.h"
#include "query/reference/result_text.h"
#include "test_util.h"

namespace kpi::cases {

namespace fs = std::filesystem;

std::string CasesDir() { return std::string(KPI_TEST_DATA_DIR) + "/query/cases"; }


// gtest prints the parameter of a failing test with this.
void PrintTo(const CaseParam& p, std::ostream* os) { *os << p.test_name; }

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

const std::map<std::string, std::pair<CaseFile, std::string>>& ParsedFiles() {
  static const auto* files = [] {
    auto* m = new std::map<std::string, std::pair<CaseFile, std::string>>();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(CasesDir(), ec)) {
      if (entry.path().extension() != ".test") continue;
      const std::string path = entry.path().string();
      CaseFile f;
      std::string error;
      if (!ParseCaseFile(path, kpi::testing::ReadFile(path), &f, &error)) f.steps.clear();
      (*m)[path] = {std::move(f), error};
    }
    return m;
  }();
  return *files;
}

std::vector<CaseParam> AllCases() {
  std::vector<CaseParam> out;
  for (const auto& [path, parsed] : ParsedFiles()) {
    const std::string stem = Sanitize(fs::path(path).stem().string());
    if (!parsed.second.empty()) {
      out.push_back({path, 0, stem + "__file_does_not_parse", parsed.second});
      continue;
    }
    for (size_t i = 0; i < parsed.first.steps.size(); ++i) {
      const Step& s = parsed.first.steps[i];
      if (s.kind == Step::Kind::kStatement) out.push_back({path, i, stem + "__" + Sanitize(s.name), ""});
    }
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return Lower(hay).find(Lower(needle)) != std::string::npos;
}

bool CellMatches(const Cell& cell, const query::Value& v, const std::string& tz_name) {
  if (!cell.quoted && cell.text == "NULL") return v.is_null();
  switch (v.type) {
    case query::ValueType::kNull:
      return false;
    case query::ValueType::kBool:
      return cell.text == (v.boolean ? "true" : "false");
    case query::ValueType::kNumber:
    case query::ValueType::kDuration: {
      char* end = nullptr;
      const double x = std::strtod(cell.text.c_str(), &end);
      if (cell.text.empty() || *end != '\0') return false;
      return reference::NearlyEqual(x, v.number);
    }
    case query::ValueType::kTime: {
      cctz::time_zone tz;
      if (!reference::LoadZone(tz_name, &tz)) tz = cctz::utc_time_zone();
      int64_t ms;
      return reference::ParseInstant(cell.text, tz, &ms) && ms == v.time_ms;
    }
    case query::ValueType::kString:
      return cell.text == v.text;
  }
  return false;
}

bool RowMatches(const std::vector<Cell>& want, const std::vector<query::Value>& got, const std::string& tz) {
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (!CellMatches(want[i], got[i], tz)) return false;
  return true;
}

std::string ExpectedText(const Expectation& x) {
  std::string out;
  for (size_t i = 0; i < x.column_names.size(); ++i) {
    if (i) out += ',';
    out += x.column_names[i] + (x.column_types[i].empty() ? "" : ":" + x.column_types[i]);
  }
  out += '\n';
  for (const auto& row : x.rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + (row[i].quoted ? "\"" + row[i].text + "\"" : row[i].text);
    out += '\n';
  }
  return out;
}

// "" when `r` satisfies the table part of `x`, else what differs.
std::string CheckTable(const Expectation& x, const query::Result& r) {
  if (!x.has_table) return "";
  std::string why;
  if (r.columns.size() != x.column_names.size()) {
    why = "column count " + std::to_string(r.columns.size()) + ", expected " + std::to_string(x.column_names.size());
  } else {
    for (size_t i = 0; i < r.columns.size() && why.empty(); ++i) {
      if (r.columns[i].name != x.column_names[i])
        why = "column " + std::to_string(i + 1) + " is named '" + r.columns[i].name + "', expected '" +
              x.column_names[i] + "'";
      else if (!x.column_types[i].empty() && x.column_types[i] != reference::TypeName(r.columns[i].type))
        why = "column '" + x.column_names[i] + "' has type " + reference::TypeName(r.columns[i].type) +
              ", expected " + x.column_types[i];
    }
  }
  if (why.empty() && r.rows.size() != x.rows.size())
    why = std::to_string(r.rows.size()) + " rows, expected " + std::to_string(x.rows.size());
  if (why.empty()) {
    if (x.unordered) {
      std::vector<bool> used(r.rows.size(), false);
      for (size_t i = 0; i < x.rows.size() && why.empty(); ++i) {
        bool found = false;
        for (size_t j = 0; j < r.rows.size() && !found; ++j) {
          if (!used[j] && RowMatches(x.rows[i], r.rows[j], r.tz)) used[j] = found = true;
        }
        if (!found) why = "expected row " + std::to_string(i + 1) + " not found";
      }
    } else {
      for (size_t i = 0; i < x.rows.size() && why.empty(); ++i)
        if (!RowMatches(x.rows[i], r.rows[i], r.tz)) why = "row " + std::to_string(i + 1) + " differs";
    }
  }
  if (why.empty()) return "";
  return why + "\n--- expected\n" + ExpectedText(x) + "--- got\n" + reference::FormatTable(r);
}

std::string CheckWarnings(const Expectation& x, const query::Result& r) {
  if (x.warning_text.empty()) return "";
  for (const std::string& w : r.warnings)
    if (Contains(w, x.warning_text)) return "";
  std::string all;
  for (const std::string& w : r.warnings) all += "\n  " + w;
  return "no warning holds '" + x.warning_text + "'; warnings:" + (all.empty() ? " none" : all);
}


}  // namespace kpi::cases
