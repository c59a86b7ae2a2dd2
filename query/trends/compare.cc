// compare with previous [day|week|month|quarter|year]
//
// The current period runs as a plain scan (without `having`, applied here on
// the current values). The previous value of a row is looked up by its key
// with the time bucket replaced by the previous bucket (the bucket holding
// start - 1 ms, or the bucket holding the start shifted back one calendar
// unit); without a bucket, by its key in a scan of the previous window.
// Previous buckets that `during` covers whole (or every bucket, without
// `during`) are already among the current groups; only the others are
// scanned, in one second scan over their hull with `during` lifted. So
// `by day compare with previous` over a month reads one extra day.
// x_change = x - x_prev with the value_ops rules (null when either is null
// or the types do not subtract, e.g. strings).
#include <algorithm>
#include <limits>

#include "query/aggregates/aggregate.h"
#include "query/planner/plan.h"
#include "query/trends/period_shift.h"
#include "query/trends/trend_rows.h"
#include "query/trends/trend_select.h"
#include "query/value_ops.h"

namespace kpi::query::trends {

namespace {

bool HasAggregate(const BoundExpr* e) {
  if (e == nullptr) return false;
  if (e->kind == BoundKind::kAggregate) return true;
  for (const BoundExpr* a : e->args)
    if (HasAggregate(a)) return true;
  return false;
}

void AddStats(const ExecStats& s, ExecStats* out) {
  out->rows_read += s.rows_read;
  out->partitions_scanned += s.partitions_scanned;
  out->partitions_skipped += s.partitions_skipped;
  out->segments_scanned += s.segments_scanned;
  out->segments_skipped += s.segments_skipped;
}

// The local scan: runs `q` (a WithWindow copy) over the snapshot and
// finalizes every group's aggregates; with `rows_only`, a group is kept only
// when it has rows (a select without `by` has one group even when empty: a
// hidden count() tells).
Status Scan(BoundQuery q, const storage::Snapshot& snap, const ExecOptions& options, bool rows_only,
            std::vector<FinalRow>* rows, ExecStats* stats) {
  const bool counted = rows_only && q.groups.empty();
  if (counted) {
    AggregateSpec count;
    count.family = &kCountFamily;
    count.name = "count";
    count.text = "count()";
    count.out_type = ValueType::kNumber;
    q.aggregates.push_back(count);
  }
  const ScanPlan plan = BuildScanPlan(q, snap);
  GroupStates groups;
  KPI_RETURN_IF_ERROR(ExecuteGroups(q, snap, plan, options, &groups));
  AddStats(groups.stats, stats);
  for (size_t g = 0; g < groups.keys.size(); ++g) {
    FinalRow row;
    row.keys = std::move(groups.keys[g]);
    for (const auto& a : groups.aggs) row.aggs.push_back(a->Finalize(g));
    if (counted) {
      if (row.aggs.back().number == 0) continue;
      row.aggs.pop_back();
    }
    rows->push_back(std::move(row));
  }
  return Status::OK();
}

}  // namespace

Status RunCompare(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snap,
                  const ExecOptions& options, Result* out, TrendError* error) {
  const GroupScan scan = [&snap, &options](const BoundQuery& windowed, bool rows_only, std::vector<FinalRow>* rows,
                                           ExecStats* stats) {
    return Scan(windowed, snap, options, rows_only, rows, stats);
  };
  return CompareWith(q, bound, scan, options, out, error);
}

Status CompareWith(const ast::SelectQuery& q, const BoundQuery& bound, const GroupScan& scan,
                   const ExecOptions& options, Result* out, TrendError* error) {
  std::optional<ShiftUnit> unit;
  if (!q.compare->unit.empty()) {
    ShiftUnit u;
    ParseShiftUnit(q.compare->unit, &u);  // checked by CheckTrendClauses
    unit = u;
  }
  int nbuckets = 0;
  const int tb = TimeBucketIndex(bound, &nbuckets);
  out->stats = ExecStats{};

  std::vector<FinalRow> rows;  // the current period's groups
  KPI_RETURN_IF_ERROR(scan(WithWindow(bound, bound.during), false, &rows, &out->stats));
  for (FinalRow& row : rows) EvalItems(bound, &row);

  std::vector<FinalRow> prev_rows;
  KeyMap<size_t> prev_of;                            // key -> index in prev_rows
  std::vector<std::vector<Value>> wanted(rows.size());  // each row's previous key
  if (tb >= 0) {
    const GroupKey& g = bound.groups[tb];
    TimeBucketer bucketer(bound.tz, g.unit, g.step_ms);
    const auto& during = bound.during;
    auto covered = [&](int64_t s) { return !during || (s >= during->first && bucketer.End(s) <= during->second); };
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (size_t r = 0; r < rows.size(); ++r) {
      const int64_t b = rows[r].keys[tb].time_ms;
      const int64_t p = unit ? bucketer.Start(ShiftBack(b, *unit, bound.tz)) : PreviousBucket(bucketer, b);
      wanted[r] = rows[r].keys;
      wanted[r][tb] = Value::Time(p);
      if (!covered(p)) {
        lo = std::min(lo, p);
        hi = std::max(hi, bucketer.End(p));
      }
    }
    for (const FinalRow& row : rows) {
      if (!covered(row.keys[tb].time_ms)) continue;
      prev_of.emplace(row.keys, prev_rows.size());
      prev_rows.push_back(row);
    }
    if (lo < hi) {
      std::vector<FinalRow> scanned;
      KPI_RETURN_IF_ERROR(scan(WithWindow(bound, std::make_pair(lo, hi)), true, &scanned, &out->stats));
      for (FinalRow& row : scanned) {
        if (covered(row.keys[tb].time_ms)) continue;  // the current groups hold it
        EvalItems(bound, &row);
        prev_of.emplace(row.keys, prev_rows.size());
        prev_rows.push_back(std::move(row));
      }
    }
  } else {
    const auto [a, b] = *bound.during;  // checked: compare without a bucket needs `during`
    const std::pair<int64_t, int64_t> window =
        unit ? std::make_pair(ShiftBack(a, *unit, bound.tz), ShiftBack(b, *unit, bound.tz))
             : std::make_pair(a - (b - a), a);
    KPI_RETURN_IF_ERROR(scan(WithWindow(bound, window), true, &prev_rows, &out->stats));
    for (size_t i = 0; i < prev_rows.size(); ++i) {
      EvalItems(bound, &prev_rows[i]);
      prev_of.emplace(prev_rows[i].keys, i);
    }
    for (size_t r = 0; r < rows.size(); ++r) wanted[r] = rows[r].keys;
  }

  // Columns: the groups, then each item, an aggregate item followed by
  // its _prev and _change.
  std::vector<bool> compared;
  out->columns.clear();
  for (const GroupKey& g : bound.groups) out->columns.push_back({g.name, g.type});
  for (const SelectItem& i : bound.items) {
    out->columns.push_back({i.name, i.type});
    compared.push_back(HasAggregate(i.expr));
    if (!compared.back()) continue;
    ValueType change = ValueType::kNull;
    if (!ArithmeticType(Op::kSub, i.type, i.type, &change)) change = ValueType::kNull;
    out->columns.push_back({i.name + "_prev", i.type});
    out->columns.push_back({i.name + "_change", change});
  }
  out->rows.clear();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!Kept(bound, rows[r])) continue;
    auto it = prev_of.find(wanted[r]);
    const FinalRow* prev = it == prev_of.end() ? nullptr : &prev_rows[it->second];
    std::vector<Value> row = rows[r].keys;
    for (size_t i = 0; i < bound.items.size(); ++i) {
      const Value& x = rows[r].items[i];
      row.push_back(x);
      if (!compared[i]) continue;
      const Value before = prev ? prev->items[i] : Value::Null();
      Value change = ApplyBinary(Op::kSub, x, before);
      row.push_back(before);
      row.push_back(std::move(change));
    }
    out->rows.push_back(std::move(row));
  }
  return FinishRows(q, bound.groups.size(), options, out, error);
}

}  // namespace kpi::query::trends
