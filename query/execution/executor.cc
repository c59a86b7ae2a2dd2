#include "query/execution/executor.h"

#include <algorithm>
#include <string>
#include <vector>

#include "query/execution/select_run.h"
#include "query/value_ops.h"

namespace kpi::query {

Status ExecuteSelect(const BoundQuery& query, const storage::Snapshot& snapshot, const ScanPlan& plan,
                     const ExecOptions& options, Result* out) {
  SelectRun run(query, snapshot, plan, options);
  return run.Run(out);
}

Status OrderAndLimit(const std::vector<OrderKey>& order, std::optional<int64_t> limit, size_t max_rows,
                     std::vector<std::vector<Value>>* rows) {
  if (!order.empty()) std::stable_sort(rows->begin(), rows->end(), [&order](const auto& a, const auto& b) {
    for (const OrderKey& o : order) {
      const Value& x = a[o.column];
      const Value& y = b[o.column];
      if (x.is_null() || y.is_null()) {
        if (x.is_null() && y.is_null()) continue;
        return y.is_null();  // nulls last either way
      }
      const int c = CompareNonNull(x, y);
      if (c != 0) return o.descending ? c > 0 : c < 0;
    }
    return false;
  });
  if (limit) {
    const size_t keep = static_cast<size_t>(std::max<int64_t>(*limit, 0));
    if (rows->size() > keep) rows->resize(keep);
  }
  if (rows->size() > max_rows)
    return Status::ResourceExhausted("the result has " + std::to_string(rows->size()) +
                                     " rows, more than the limit of " + std::to_string(max_rows));
  return Status::OK();
}

Status ExecuteGroups(const BoundQuery& query, const storage::Snapshot& snapshot, const ScanPlan& plan,
                     const ExecOptions& options, GroupStates* out) {
  SelectRun run(query, snapshot, plan, options);
  return run.RunGroups(out);
}

}  // namespace kpi::query
