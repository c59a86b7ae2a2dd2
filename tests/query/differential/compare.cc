#include "query/differential/compare.h"

#include <vector>

#include "query/reference/result_text.h"

namespace kpi::differential {

namespace {

bool SameRow(const std::vector<query::Value>& a, const std::vector<query::Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!reference::SameCell(a[i], b[i])) return false;
  return true;
}

// Each row of `part` matched to a distinct row of `whole`.
bool SubMultiset(const std::vector<std::vector<query::Value>>& part,
                 const std::vector<std::vector<query::Value>>& whole) {
  std::vector<bool> used(whole.size(), false);
  for (const auto& row : part) {
    bool found = false;
    for (size_t j = 0; j < whole.size() && !found; ++j)
      if (!used[j] && SameRow(row, whole[j])) used[j] = found = true;
    if (!found) return false;
  }
  return true;
}

std::vector<query::Value> KeysOf(const std::vector<query::Value>& row, const std::vector<size_t>& cols) {
  std::vector<query::Value> k;
  for (size_t c : cols) k.push_back(row[c]);
  return k;
}

}  // namespace

std::string Compare(const query::Result& eng, const query::Result& ref, const query::Result& ref_unlimited,
                    const query::ast::SelectQuery& q) {
  if (eng.columns.size() != ref.columns.size()) return "column count differs";
  for (size_t i = 0; i < eng.columns.size(); ++i) {
    if (eng.columns[i].name != ref.columns[i].name) return "column " + std::to_string(i + 1) + " name differs";
    if (eng.columns[i].type != ref.columns[i].type)
      return "column '" + ref.columns[i].name + "' type differs";
  }
  if (q.order_by.empty()) {
    if (eng.rows.size() != ref.rows.size()) return "row count differs";
    for (size_t i = 0; i < eng.rows.size(); ++i)
      if (!SameRow(eng.rows[i], ref.rows[i])) return "row " + std::to_string(i + 1) + " differs";
    return "";
  }
  std::vector<size_t> key_cols;
  for (const auto& o : q.order_by)
    for (size_t i = 0; i < ref.columns.size(); ++i)
      if (ref.columns[i].name == o.name) {
        key_cols.push_back(i);
        break;
      }
  if (eng.rows.size() != ref.rows.size()) return "row count differs";
  for (size_t i = 0; i < eng.rows.size(); ++i)
    if (!SameRow(KeysOf(eng.rows[i], key_cols), KeysOf(ref.rows[i], key_cols)))
      return "order-by columns differ at row " + std::to_string(i + 1);
  if (!q.limit) {
    if (!SubMultiset(eng.rows, ref.rows)) return "rows differ (as a multiset)";
  } else if (!SubMultiset(eng.rows, ref_unlimited.rows)) {
    return "a row is not in the reference's answer";
  }
  return "";
}

Outcome CompareOutcomes(const Status& engine_status, const std::string& engine_error, const query::Result& eng,
                        const Status& ref_status, const query::Result& ref, const query::Result& ref_unlimited,
                        const query::ast::SelectQuery& q, std::string* why) {
  if (!engine_status.ok() && !ref_status.ok()) return Outcome::kBothRefuse;
  if (!engine_status.ok()) {
    *why = "the engine refuses what the reference answers: " + engine_error;
  } else if (!ref_status.ok()) {
    *why = "the reference refuses what the engine answers: " + ref_status.ToString();
  } else {
    *why = Compare(eng, ref, ref_unlimited, q);
    if (why->empty()) return Outcome::kAgree;
  }
  return Outcome::kDiffer;
}

}  // namespace kpi::differential
