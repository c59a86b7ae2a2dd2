#include "query/trends/trend_select.h"

#include <chrono>

#include "query/trends/period_shift.h"
#include "query/trends/trend_rows.h"

namespace kpi::query::trends {

namespace {

bool Fail(const ast::SourcePos& pos, std::string message, TrendError* error) {
  error->pos = pos;
  error->message = std::move(message);
  return false;
}

}  // namespace

bool CheckTrendClauses(const ast::SelectQuery& q, const BoundQuery& bound, TrendError* error) {
  int buckets = 0;
  const int tb = TimeBucketIndex(bound, &buckets);
  std::string cyclic;
  for (const GroupKey& g : bound.groups)
    if (g.is_bucket && IsCyclicUnit(g.unit)) cyclic = g.name;
  if (q.compare && q.rolling)
    return Fail(q.compare->pos, "`compare with` and `rolling` cannot be combined in one select", error);
  if (q.compare) {
    ShiftUnit unit;
    if (!q.compare->unit.empty() && !ParseShiftUnit(q.compare->unit, &unit))
      return Fail(q.compare->pos, "unknown period '" + q.compare->unit +
                                      "' after `compare with previous` (expected day, week, month, quarter or year)",
                  error);
    if (buckets > 1)
      return Fail(q.compare->pos, "`compare with` needs exactly one time bucket in `by`, not " +
                                      std::to_string(buckets), error);
    if (tb < 0 && !bound.during)
      return Fail(q.compare->pos,
                  "`compare with previous` needs a time bucket in `by` (e.g. by week) or a `during` window" +
                      (cyclic.empty() ? std::string() : " (" + cyclic + " is a cyclic group, not a time bucket)"),
                  error);
  }
  if (q.rolling) {
    if (*q.rolling < 1)
      return Fail(q.rolling_pos, "`rolling` needs a window of at least 1 bucket, not " + std::to_string(*q.rolling),
                  error);
    if (buckets > 1)
      return Fail(q.rolling_pos, "`rolling` needs exactly one time bucket in `by`, not " + std::to_string(buckets),
                  error);
    if (tb < 0)
      return Fail(q.rolling_pos,
                  "`rolling` needs a time bucket in `by` (e.g. by day rolling 7)" +
                      (cyclic.empty() ? std::string() : " (" + cyclic + " is a cyclic group, not a time bucket)"),
                  error);
  }
  return true;
}

Status ExecuteTrendSelect(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snapshot,
                          const ExecOptions& options, Result* out, TrendError* error) {
  const auto start = std::chrono::steady_clock::now();
  if (!CheckTrendClauses(q, bound, error)) return Status::InvalidArgument(error->message);
  Status st = q.compare ? RunCompare(q, bound, snapshot, options, out, error)
                        : RunRolling(q, bound, snapshot, options, out, error);
  if (!st.ok()) return st;
  out->warnings = bound.warnings;
  out->tz = bound.tz_name;
  out->message.clear();
  out->stats.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return Status::OK();
}

std::string ExplainTrend(const ast::SelectQuery& q, const BoundQuery& bound) {
  if (q.compare) {
    int n = 0;
    const bool bucket = TimeBucketIndex(bound, &n) >= 0;
    std::string unit = q.compare->unit.empty() ? "" : " " + q.compare->unit;
    return "compare with previous" + unit + ": " +
           (bucket ? "previous buckets read from the groups above where `during` covers them whole, the rest by "
                     "a second scan with `during` lifted"
                   : "a second scan of the previous window");
  }
  return "rolling " + std::to_string(q.rolling.value_or(0)) + ": the scan reaches back " +
         std::to_string(q.rolling.value_or(1) - 1) +
         " buckets before `during` (and to the end of its last bucket); windows combine per-bucket states";
}

}  // namespace kpi::query::trends
