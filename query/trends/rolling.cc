// by <bucket> rolling <n>
//
// One scan, widened to reach n - 1 buckets before the first bucket that
// starts in `during` and to the end of the last one, gives the partial
// aggregate states of every (other groups, bucket) group. The row of bucket
// b combines the states of the n buckets ending at b of the same other
// groups: each source group is folded into the n windows that hold it
// (AggregateState::Combine with one group map per offset), so no row is read
// twice: count/sum/avg/rate/ratio/min/max combine in O(1) per bucket and
// window, distinct unions its sets. Percentiles read a window in place
// (FinalizeUnion: each bucket's values sorted once, the ranks selected
// across the window's runs), exact and without copying values.
// Shown: buckets starting in `during` (without it: from the first bucket
// with data to the last), per combination of the other groups, when their
// window holds at least one group.
#include <algorithm>
#include <unordered_map>

#include "query/aggregates/aggregate.h"
#include "query/execution/group_eval.h"
#include "query/execution/parallel_scan.h"
#include "query/planner/plan.h"
#include "query/trends/period_shift.h"
#include "query/trends/trend_rows.h"
#include "query/trends/trend_select.h"

namespace kpi::query::trends {

namespace {

constexpr size_t kMaxBuckets = 20'000'000;  // of the range shown plus the reach back

Status Finish(const ast::SelectQuery& q, const BoundQuery& bound, const ExecOptions& options, Result* out,
              TrendError* error) {
  return FinishRows(q, bound.groups.size(), options, out, error);
}

}  // namespace

Status RunRolling(const ast::SelectQuery& q, const BoundQuery& bound, const storage::Snapshot& snap,
                  const ExecOptions& options, Result* out, TrendError* error) {
  const size_t n = static_cast<size_t>(*q.rolling);
  int nbuckets = 0;
  const size_t tb = static_cast<size_t>(TimeBucketIndex(bound, &nbuckets));
  const GroupKey& key = bound.groups[tb];
  TimeBucketer bucketer(bound.tz, key.unit, key.step_ms);
  auto back = [&](int64_t s, size_t k, size_t* stepped) { return BucketsBack(bucketer, s, k, kMaxBuckets, stepped); };
  size_t reach = 0;  // buckets before the first shown one
  out->columns.clear();
  out->rows.clear();
  for (const GroupKey& g : bound.groups) out->columns.push_back({g.name, g.type});
  for (const SelectItem& i : bound.items) out->columns.push_back({i.name, i.type});

  // The buckets shown: [first, last] by start.
  std::optional<std::pair<int64_t, int64_t>> window;
  int64_t first = 0, last = 0;
  if (bound.during) {
    const auto [a, b] = *bound.during;
    if (b <= a) return Finish(q, bound, options, out, error);
    first = bucketer.Start(a);
    if (first < a) first = bucketer.End(first);
    last = bucketer.Start(b - 1);
    if (first > last) return Finish(q, bound, options, out, error);
    window = std::make_pair(back(first, n - 1, &reach), bucketer.End(last));
  }
  BoundQuery scan = WithWindow(bound, window);
  const ScanPlan plan = BuildScanPlan(scan, snap);
  GroupStates groups;
  KPI_RETURN_IF_ERROR(ExecuteGroups(scan, snap, plan, options, &groups));
  out->stats = groups.stats;
  const size_t nsource = groups.keys.size();
  if (nsource == 0) return Finish(q, bound, options, out, error);
  if (!bound.during) {
    first = last = groups.keys[0][tb].time_ms;
    for (const auto& k : groups.keys) {
      first = std::min(first, k[tb].time_ms);
      last = std::max(last, k[tb].time_ms);
    }
  }

  // Every bucket from n - 1 before the first shown to the last: index -> start.
  std::vector<int64_t> starts;
  for (int64_t s = back(first, n - 1, &reach); s <= last; s = bucketer.End(s)) {
    if (starts.size() >= kMaxBuckets)
      return Status::ResourceExhausted("`rolling` over more than " + std::to_string(kMaxBuckets) + " buckets");
    starts.push_back(s);
  }
  std::unordered_map<int64_t, uint32_t> index_of;
  index_of.reserve(starts.size() * 2);
  for (uint32_t i = 0; i < starts.size(); ++i) index_of.emplace(starts[i], i);

  // Source group -> (combination of the other groups, bucket index).
  constexpr uint32_t kOutside = UINT32_MAX;
  KeyMap<uint32_t> combo_of;
  std::vector<std::vector<Value>> combos;
  std::vector<uint32_t> src_combo(nsource), src_index(nsource, kOutside);
  for (size_t g = 0; g < nsource; ++g) {
    auto it = index_of.find(groups.keys[g][tb].time_ms);
    if (it != index_of.end()) src_index[g] = it->second;
    std::vector<Value> other = groups.keys[g];
    other[tb] = Value::Null();
    auto [c, inserted] = combo_of.emplace(std::move(other), static_cast<uint32_t>(combos.size()));
    if (inserted) combos.push_back(c->first);
    src_combo[g] = c->second;
  }
  // Output groups: every window (combination, shown bucket) holding a source group.
  const size_t nb = starts.size(), first_shown = reach;
  std::unordered_map<uint64_t, uint32_t> out_of;
  std::vector<std::pair<uint32_t, uint32_t>> out_keys;  // (combination, bucket index)
  for (size_t g = 0; g < nsource; ++g) {
    if (src_index[g] == kOutside) continue;
    for (size_t d = 0; d < n; ++d) {
      const size_t j = src_index[g] + d;
      if (j >= nb) break;
      if (j < first_shown) continue;
      const uint64_t id = uint64_t{src_combo[g]} * nb + j;
      if (out_of.emplace(id, static_cast<uint32_t>(out_keys.size())).second)
        out_keys.emplace_back(src_combo[g], static_cast<uint32_t>(j));
    }
  }
  const uint32_t nout = static_cast<uint32_t>(out_keys.size()), sink = nout;
  // Families that read a window in place (percentiles: sorted runs) skip
  // the combine; the others fold each bucket into its windows' states.
  std::vector<bool> in_place(bound.aggregates.size());
  std::vector<std::unique_ptr<AggregateState>> windows(bound.aggregates.size());
  bool any_in_place = false;
  for (size_t a = 0; a < bound.aggregates.size(); ++a) {
    Value probe;
    in_place[a] = groups.aggs[a]->FinalizeUnion(nullptr, 0, &probe);
    any_in_place = any_in_place || in_place[a];
    if (in_place[a]) continue;
    windows[a] = bound.aggregates[a].family->create(bound.aggregates[a], bound);
    windows[a]->Resize(nout + 1);
  }
  std::vector<uint32_t> map(nsource);
  for (size_t d = 0; d < n && d < nb; ++d) {
    KPI_RETURN_IF_ERROR(CheckStop(StopConditions{options.cancel, options.deadline}));
    bool any = false;
    for (size_t g = 0; g < nsource; ++g) {
      map[g] = sink;
      if (src_index[g] == kOutside) continue;
      const size_t j = src_index[g] + d;
      if (j < first_shown || j >= nb) continue;
      map[g] = out_of.at(uint64_t{src_combo[g]} * nb + j);
      any = true;
    }
    if (!any) continue;
    for (size_t a = 0; a < windows.size(); ++a)
      if (windows[a]) windows[a]->Combine(*groups.aggs[a], map.data());
  }
  std::unordered_map<uint64_t, uint32_t> source_of;  // (combination, bucket index) -> source group
  if (any_in_place)
    for (size_t g = 0; g < nsource; ++g)
      if (src_index[g] != kOutside) source_of.emplace(uint64_t{src_combo[g]} * nb + src_index[g], g);
  std::vector<uint32_t> members;
  for (uint32_t o = 0; o < nout; ++o) {
    const auto [combo, j] = out_keys[o];
    if (any_in_place) {
      members.clear();
      for (size_t d = 0; d < n && d <= j; ++d) {
        auto it = source_of.find(uint64_t{combo} * nb + (j - d));
        if (it != source_of.end()) members.push_back(it->second);
      }
    }
    FinalRow row;
    row.keys = combos[combo];
    row.keys[tb] = Value::Time(starts[j]);
    for (size_t a = 0; a < windows.size(); ++a) {
      Value v;
      if (in_place[a]) groups.aggs[a]->FinalizeUnion(members.data(), members.size(), &v);
      else v = windows[a]->Finalize(o);
      row.aggs.push_back(std::move(v));
    }
    EvalItems(bound, &row);
    if (!Kept(bound, row)) continue;
    std::vector<Value> cells = std::move(row.keys);
    cells.insert(cells.end(), std::make_move_iterator(row.items.begin()), std::make_move_iterator(row.items.end()));
    out->rows.push_back(std::move(cells));
  }
  return Finish(q, bound, options, out, error);
}

}  // namespace kpi::query::trends
