// Internal to the executor (query/execution/executor.h): one select's run.
// SelectRun scans the planned segments on its workers (select_run_scan.cc:
// rows placed in time, cut to `during`, filtered, exemptions applied,
// aggregates updated; or the segment's kept partial states combined,
// kept_states.h, a partition's at once when rolled up, kept_rollup.h),
// assigns group ids (select_run_groups.cc: key parts, kept groups, the
// hash table), then merges the workers' states and finishes the rows
// (select_run_groups.cc). SelectWorker holds one thread's
// partial states and scratch; nothing in it is shared.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/disk_memo.h"
#include "query/execution/eval.h"
#include "query/execution/executor.h"
#include "query/execution/group_table.h"
#include "query/execution/hollow_scan.h"
#include "query/execution/kept_scan.h"
#include "query/execution/kept_states.h"
#include "query/execution/needed_columns.h"
#include "query/execution/parallel_scan.h"
#include "query/execution/repeat_index.h"
#include "query/execution/scope.h"
#include "query/execution/segment_rows.h"
#include "query/execution/ticket_memo.h"
#include "query/execution/zone_counts.h"
#include "query/time_buckets.h"

namespace kpi::query {

// One scan thread's partial groups and states, and its scratch.
struct SelectWorker {
  explicit SelectWorker(const BoundQuery& q)
      : eval(q), table(q.groups.size()), parts(q.groups.size()) {
    for (const AggregateSpec& a : q.aggregates) aggs.push_back(a.family->create(a, q));
    for (const GroupKey& g : q.groups)
      bucketers.push_back(g.is_bucket ? std::make_unique<TimeBucketer>(q.tz, g.unit, g.step_ms) : nullptr);
    if (q.groups.empty()) {  // one group, present even with no rows
      bool inserted;
      table.FindOrInsert(nullptr, &inserted);
      keys.emplace_back();
      for (auto& a : aggs) a->Resize(1);
    }
  }

  Evaluator eval;
  SegmentRows rows;
  GroupTable table;
  std::vector<std::vector<Value>> keys;  // per group: the key values
  std::vector<std::unique_ptr<AggregateState>> aggs;
  std::vector<std::unique_ptr<TimeBucketer>> bucketers;
  std::vector<std::vector<uint64_t>> parts;  // per group key, per selected row
  std::vector<uint32_t> kept, in_window, excluded;  // ApplyExclusions' scratch
  std::vector<uint32_t> direct;              // one small key: part -> gid + 1
  // Several keys, the first small: its value -> the last rest-of-key seen
  // with it and that group (agent a's replies mostly fall on one day).
  struct LastGroup {
    uint64_t second = 0;
    uint32_t gid_plus_one = 0;  // 0: nothing cached
  };
  std::vector<LastGroup> last_by_first;
  std::vector<uint32_t> initial, selected, gids;
  std::string main_key;             // the main rows' memo name, "" if they depend on the query
  std::vector<uint32_t> local_map;  // KeptGroups: local group -> the worker's
  std::vector<int64_t> times;
  AtPlacement at_own;  // AtPlacements without room in the segment's memo
  std::vector<uint64_t> key;
  std::vector<const std::vector<uint8_t>*> repeat_answers;  // per repeat_within of the query, for the current segment
  bool missed = false;  // SelectRun::hits_only_: the current item's states were not all kept
  storage::Segment filtered;
  // ExecOptions::scope: the worker's filter, the current segment's
  // in-scope tickets and the events read.
  std::unique_ptr<ScopeFilter> scope;
  std::vector<uint8_t> keep;
  uint64_t scoped_events = 0;
};

class SelectRun {
 public:
  SelectRun(const BoundQuery& q, const storage::Snapshot& snap, const ScanPlan& plan, const ExecOptions& options)
      : q_(q), snap_(snap), plan_(plan), options_(options) {
    stop_.cancel = options.cancel;
    stop_.deadline = options.deadline;
    threads_ = std::clamp(options.threads, 1, 64);
    created_code_ = snap.catalog().FindCode(storage::kEventColumn, "created");
    columns_ = NeededColumns(q, options, snap.catalog());
    placed_ = NeedsPlacement(q);
    zone_counts_ = CountsFromZoneMaps(q, options);
    hollow_ = HollowScanOk(q, options, created_code_);
    if (!MemoOff()) files_ = MemoFilesFor(snap.catalog());
    states_key_ = KeptStatesKey(q, options, created_code_);
    spec_ = plan.spec;
    if (options.scope) {
      // The scope's `dim = / in` conjuncts prune segments like a where's.
      ScopeFilter probe(*options.scope, snap.catalog());
      probe.Pushdown(&scope_dims_, &scope_impossible_);
      spec_.dim_codes.insert(spec_.dim_codes.end(), scope_dims_.begin(), scope_dims_.end());
    }
  }

  Status Run(Result* out) {
    const auto start = std::chrono::steady_clock::now();
    KPI_RETURN_IF_ERROR(ScanAndMerge(&out->stats));
    KPI_RETURN_IF_ERROR(Finish(out));
    out->stats.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return Status::OK();
  }

  // ExecuteGroups: the merged groups and states, not finished.
  Status RunGroups(GroupStates* out) {
    KPI_RETURN_IF_ERROR(ScanAndMerge(&out->stats));
    SelectWorker& base = *workers_[0];
    out->keys = std::move(base.keys);
    out->aggs = std::move(base.aggs);
    return Status::OK();
  }

 private:
  // Plans the segments, scans them on the workers, merges their states
  // into workers_[0]; the scan's counters into *out.
  Status ScanAndMerge(ExecStats* out);

  // repeat_within: the segments each pre-pass reads, its answers' keys.
  void PlanRepeats(const std::vector<storage::SegmentRef>& refs);
  // The repeat_within pre-pass: one RepeatIndex per repeat of the query.
  Status BuildRepeatIndexes();

  // One segment: its rows to aggregate updates on worker `wk`.
  Status ScanSegment(SelectWorker& wk, const storage::SegmentRef& ref, uint32_t ordinal);
  // The same once loaded: `seg`, the view the query may see.
  Status ScanRows(SelectWorker& wk, const storage::SegmentRef& ref, const storage::Segment* seg, uint32_t ordinal);
  // The segment's main rows (placed, cut to `during`, filtered, exemptions
  // applied) into *main (none: main->n == 0), declared to wk.eval; *place:
  // each row's placement (tickets: null when nothing places them, or when
  // placed by creation and no window or scope read it: see TicketPlace).
  void MainRows(SelectWorker& wk, const storage::SegmentRef& ref, const storage::Segment* seg, uint32_t ordinal,
                Selection* main, const int64_t** place);

  // Refs[begin..end), one partition's segments, when statements keep
  // partial states: their combined states (kept_rollup.h), kept or built.
  Status ScanPartition(SelectWorker& wk, const std::vector<storage::SegmentRef>& refs, size_t begin, size_t end);
  // The segment's kept partial states (kept_states.h) in its memo or the
  // derived-value files, or null.
  std::shared_ptr<const KeptStates> FindStates(const storage::Segment* seg);
  // The segment's kept partial states (kept_states.h), built on a miss.
  std::shared_ptr<const KeptStates> SegmentStates(SelectWorker& wk, const storage::SegmentRef& ref,
                                                  const storage::Segment* seg, uint32_t ordinal);

  // `place` as MainRows gave it, or when null the tickets' creation times
  // (read now: a bucket or an exclusion places the rows).
  const int64_t* TicketPlace(SelectWorker& wk, const int64_t* place) const {
    return place != nullptr || q_.source != Source::kTickets ? place : wk.rows.Created();
  }

  // Kept partial states (kept_states.h): the segment's groups and states
  // over `main` into *out.
  void BuildStates(SelectWorker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                   uint32_t ordinal, KeptStates* out);
  // Combines a segment's states into the worker's groups and states.
  Status AddStates(SelectWorker& wk, const KeptStates& states);
  // Without limit or having every group becomes a result row: a worker
  // already past the row cap stops the query now, before the groups cost
  // more memory (each worker's groups are a subset of the result's).
  Status CheckRowCap(const SelectWorker& wk) const;
  // Group key j's value for key part `part` when the key is a bucket.
  Value BucketValue(size_t j, uint64_t part) const;

  // Exemption windows of an `evaluate`: drops the rows of *main placed in a
  // window whose predicate is true there.
  void ApplyExclusions(SelectWorker& wk, const int64_t* place, Selection* main);

  // Each main row's group key parts into wk.parts (a dictionary key alone
  // is left in vecs[0], its codes being the parts); vecs[j]: key j's values.
  void ComputeParts(SelectWorker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                    uint32_t ordinal, std::vector<const Vec*>* vecs_out);

  // Group keys kept with the segment (kept_scan.h): when the main rows
  // depend on the segment only (wk.main_key) and every key part has a memo
  // key.
  const LocalGroups* KeptGroups(SelectWorker& wk, const Selection& main, const int64_t* place,
                                const storage::Segment* seg, uint32_t ordinal);

  // wk.gids: each main row's group in wk.table (new groups get their key
  // values and room in the states).
  void GroupIds(SelectWorker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                uint32_t ordinal);

  // Default order: the group keys ascending (CompareForSort per column).
  // Each key column has few distinct values (codes, buckets), identified by
  // their key parts: rank those once with Value compares, then sort the
  // rows by integer rank tuples.
  void SortByGroupKeys(const GroupTable& table, const std::vector<uint32_t>& row_group,
                       std::vector<std::vector<Value>>* rows) const;

  // Combines every worker's groups and states into workers_[0].
  void Merge();

  // Finalized states, select items and `having` per group, the rows in
  // their default order, then `order by` and `limit`.
  Status Finish(Result* out);

  bool InWindow(int64_t t) const { return !q_.during || (t >= q_.during->first && t < q_.during->second); }

  const BoundQuery& q_;
  const storage::Snapshot& snap_;
  const ScanPlan& plan_;
  const ExecOptions& options_;
  StopConditions stop_;
  int threads_ = 1;
  uint32_t created_code_ = 0;
  storage::SegmentColumns columns_;  // what the scan decodes (needed_columns.h)
  bool placed_ = false;              // rows are placed in time (NeedsPlacement)
  bool zone_counts_ = false;         // count() alone: segments with live counts are not read (zone_counts.h)
  bool hollow_ = false;              // segments may be loaded hollow (hollow_scan.h)
  std::shared_ptr<storage::MemoFiles> files_;  // derived values on disk (disk_memo.h), or null
  std::string states_key_;           // the key of kept partial states, "" if none (kept_states.h)
  storage::ScanSpec spec_;  // the plan's, with the scope's pruning
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> scope_dims_;
  bool scope_impossible_ = false;  // the scope names a value or dimension never seen
  std::vector<RepeatIndex> repeats_;
  // Per repeat: the segments its pre-pass reads (the statement's own when
  // its plan is the same) and its answers' RepeatMemoKey ("" for none).
  std::vector<const std::vector<storage::SegmentRef>*> repeat_refs_;
  std::vector<std::unique_ptr<std::vector<storage::SegmentRef>>> own_repeat_refs_;
  std::vector<std::string> repeat_keys_;
  bool members_ = false;    // partitions roll up their members' states (kept_rollup.h KeptMembers)
  bool hits_only_ = false;  // the scan adds kept states only, marking items without (SelectWorker::missed)
  std::vector<std::unique_ptr<SelectWorker>> workers_;
};

}  // namespace kpi::query
