#include "query/trends/trend_rows.h"

#include <algorithm>

#include "query/aggregates/aggregate.h"
#include "query/execution/group_eval.h"
#include "query/binder/suggest.h"
#include "query/value_ops.h"

namespace kpi::query::trends {

void EvalItems(const BoundQuery& q, FinalRow* row) {
  row->items.clear();
  row->items.reserve(q.items.size());
  for (const SelectItem& i : q.items) row->items.push_back(EvalGroupExpr(*i.expr, row->keys, row->aggs, nullptr));
}

bool KeyLess::operator()(const std::vector<Value>& a, const std::vector<Value>& b) const {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const int c = CompareForSort(a[i], b[i]);
    if (c != 0) return c < 0;
  }
  return a.size() < b.size();
}

bool Kept(const BoundQuery& q, const FinalRow& row) {
  if (q.having == nullptr) return true;
  const Value h = EvalGroupExpr(*q.having, row.keys, row.aggs, &row.items);
  return h.type == ValueType::kBool && h.boolean;
}

int TimeBucketIndex(const BoundQuery& q, int* count) {
  int index = -1;
  *count = 0;
  for (size_t i = 0; i < q.groups.size(); ++i) {
    if (!q.groups[i].is_bucket || IsCyclicUnit(q.groups[i].unit)) continue;
    if (index < 0) index = static_cast<int>(i);
    ++*count;
  }
  return index;
}

Status FinishRows(const ast::SelectQuery& q, size_t nkeys, const ExecOptions& options, Result* out,
                  TrendError* error) {
  std::vector<OrderKey> keys;
  std::vector<std::string> names;
  for (const ResultColumn& c : out->columns) names.push_back(c.name);
  for (const ast::OrderItem& o : q.order_by) {
    auto it = std::find(names.begin(), names.end(), o.name);
    if (it == names.end()) {
      error->pos = o.pos;
      error->message = "order by: unknown result column '" + o.name + "'" + DidYouMean(o.name, names);
      return Status::InvalidArgument(error->message);
    }
    keys.push_back(OrderKey{static_cast<size_t>(it - names.begin()), o.descending});
  }
  auto& rows = out->rows;
  std::sort(rows.begin(), rows.end(), [nkeys](const auto& a, const auto& b) {
    for (size_t i = 0; i < nkeys; ++i) {
      const int c = CompareForSort(a[i], b[i]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  return OrderAndLimit(keys, q.limit, options.max_result_rows, &rows);
}

BoundQuery WithWindow(const BoundQuery& q, std::optional<std::pair<int64_t, int64_t>> window) {
  BoundQuery copy = q;
  copy.nodes.clear();  // the copy's pointers are q's nodes
  copy.during = window;
  copy.having = nullptr;
  copy.order.clear();
  copy.limit.reset();
  return copy;
}

}  // namespace kpi::query::trends
