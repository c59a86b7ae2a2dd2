#include "query/execution/executor.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/eval.h"
#include "query/execution/cycles.h"
#include "query/execution/group_eval.h"
#include "query/execution/group_table.h"
#include "query/execution/kept_scan.h"
#include "query/execution/key_parts.h"
#include "query/execution/memo_keys.h"
#include "query/execution/needed_columns.h"
#include "query/execution/parallel_scan.h"
#include "query/execution/repeat_index.h"
#include "query/execution/scope.h"
#include "query/execution/segment_rows.h"
#include "query/execution/ticket_memo.h"
#include "query/time_buckets.h"
#include "query/value_ops.h"

namespace kpi::query {

namespace {

// Largest part value the direct group array serves (dictionary codes, booleans).
constexpr uint64_t kDirectLimit = 1 << 16;

// The view of `ref` the query may see: the loaded segment (the `columns`
// the query reads), or its `as of` copy.
Status LoadVisible(const storage::Snapshot& snap, const storage::SegmentRef& ref, const storage::SegmentColumns& columns,
                   std::optional<uint32_t> max_batch, std::shared_ptr<const storage::Segment>* holder,
                   storage::Segment* filtered, const storage::Segment** out) {
  KPI_RETURN_IF_ERROR(snap.Load(ref, columns, holder));
  *out = holder->get();
  // A segment holding corrections always needs the filter (replaced copies
  // stay stored for `as of`); others only when it holds later batches.
  if ((max_batch && ref.zone.max_batch > *max_batch) || !(*holder)->dead_rows.empty()) {
    FilterSegmentAsOf(**holder, max_batch.value_or(UINT32_MAX), filtered);
    *out = filtered;
  }
  return Status::OK();
}

struct Worker {
  explicit Worker(const BoundQuery& q)
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
    Worker& base = *workers_[0];
    out->keys = std::move(base.keys);
    out->aggs = std::move(base.aggs);
    return Status::OK();
  }

 private:
  Status ScanAndMerge(ExecStats* out) {
    storage::PlanStats stats;
    std::vector<storage::SegmentRef> refs = snap_.Plan(spec_, &stats);
    if (plan_.impossible || scope_impossible_) {
      refs.clear();
      stats.partitions_scanned = stats.segments_scanned = stats.events_in_scanned_segments = 0;
    }
    if (!refs.empty()) KPI_RETURN_IF_ERROR(BuildRepeatIndexes());
    // One worker per `rows_per_thread` rows to read (at least one, at most
    // the configured threads and the segments): a small query costs less
    // than starting a thread, and a server runs many of them side by side.
    const uint64_t per = options_.rows_per_thread;
    const size_t by_rows = per == 0 ? SIZE_MAX : static_cast<size_t>(stats.events_in_scanned_segments / per) + 1;
    const int threads = static_cast<int>(
        std::min<size_t>({static_cast<size_t>(threads_), std::max<size_t>(refs.size(), 1), by_rows}));
    for (int w = 0; w < threads; ++w) {
      workers_.push_back(std::make_unique<Worker>(q_));
      if (options_.scope) workers_.back()->scope = std::make_unique<ScopeFilter>(*options_.scope, snap_.catalog());
    }
    KPI_RETURN_IF_ERROR(RunParallel(threads, refs.size(), stop_, [&](int w, size_t i) {
      return ScanSegment(*workers_[w], refs[i], static_cast<uint32_t>(i));
    }));
    KPI_RETURN_IF_ERROR(CheckStop(stop_));
    uint64_t scoped_events = 0;
    for (const auto& w : workers_) scoped_events += w->scoped_events;
    Merge();
    // Under a scope only the scope's events count as read (the others are
    // another tenant's business, even as a number).
    out->rows_read = options_.scope ? scoped_events : stats.events_in_scanned_segments;
    out->partitions_scanned = stats.partitions_scanned;
    out->partitions_skipped = stats.partitions_total - stats.partitions_scanned;
    out->segments_scanned = stats.segments_scanned;
    out->segments_skipped = stats.segments_total - stats.segments_scanned;
    return Status::OK();
  }

  // ---- repeat_within pre-pass ------------------------------------------------
  Status BuildRepeatIndexes() {
    for (const RepeatSpec& r : q_.repeats) {
      storage::ScanSpec spec = RepeatScanSpec(q_, plan_, r.window_ms);
      spec.dim_codes.insert(spec.dim_codes.end(), scope_dims_.begin(), scope_dims_.end());
      const std::vector<storage::SegmentRef> refs = snap_.Plan(spec, nullptr);
      std::vector<std::pair<uint32_t, uint32_t>> ids;
      for (const storage::SegmentRef& ref : refs) ids.emplace_back(ref.partition, ref.segment);
      RepeatIndex index(r.dims.size(), r.window_ms, std::move(ids));
      const int threads = static_cast<int>(std::min<size_t>(threads_, std::max<size_t>(refs.size(), 1)));
      std::vector<RepeatIndex::Collector> collectors(threads, RepeatIndex::Collector(r.dims.size()));
      std::vector<SegmentRows> rows(threads);
      std::vector<storage::Segment> filtered(threads);
      // Under a scope earlier tickets outside it never count as contacts.
      std::vector<std::unique_ptr<ScopeFilter>> scopes(threads);
      std::vector<std::vector<uint8_t>> keeps(threads);
      if (options_.scope)
        for (auto& f : scopes) f = std::make_unique<ScopeFilter>(*options_.scope, snap_.catalog());
      KPI_RETURN_IF_ERROR(RunParallel(threads, refs.size(), stop_, [&](int w, size_t i) {
        std::shared_ptr<const storage::Segment> holder;
        const storage::Segment* seg;
        KPI_RETURN_IF_ERROR(LoadVisible(snap_, refs[i], columns_, plan_.max_batch, &holder, &filtered[w], &seg));
        if (seg->event_begin.size() != seg->num_tickets() + size_t{1}) return Status::OK();
        index.StartSegment(static_cast<uint32_t>(i), seg->num_tickets());
        SegmentRows& sr = rows[w];
        sr.Reset(seg, static_cast<uint32_t>(i), Source::kTickets, created_code_);
        const uint8_t* keep = nullptr;
        if (scopes[w]) {
          if (scopes[w]->Mark(*seg, &sr, &keeps[w]) == 0) return Status::OK();
          keep = keeps[w].data();
        }
        const int64_t* created = sr.Created();
        std::vector<const uint32_t*> dims;
        for (uint32_t c : r.dims) dims.push_back(sr.Dim(c));
        std::vector<uint32_t> codes(r.dims.size());
        for (uint32_t t = 0; t < seg->num_tickets(); ++t) {
          if (keep != nullptr && !keep[t]) continue;
          bool null = false;
          for (size_t d = 0; d < dims.size(); ++d) {
            codes[d] = dims[d][t];
            null |= codes[d] == 0;
          }
          if (!null) collectors[w].Add(codes.data(), created[t], static_cast<uint32_t>(i), t);
        }
        return Status::OK();
      }));
      index.Finish(&collectors, threads_);
      repeats_.push_back(std::move(index));
    }
    return Status::OK();
  }

  // ---- one segment -------------------------------------------------------------
  Status ScanSegment(Worker& wk, const storage::SegmentRef& ref, uint32_t ordinal) {
    std::shared_ptr<const storage::Segment> holder;
    const storage::Segment* seg;
    KPI_RETURN_IF_ERROR(LoadVisible(snap_, ref, columns_, plan_.max_batch, &holder, &wk.filtered, &seg));
    if (seg->num_events() == 0 || seg->event_begin.size() != seg->num_tickets() + size_t{1}) return Status::OK();
    wk.rows.Reset(seg, ordinal, q_.source, created_code_);
    // The scope first: tickets outside it (and their events) are never rows.
    const uint8_t* keep = nullptr;
    if (wk.scope) {
      const uint32_t kept =
          wk.scope->Mark(*seg, q_.source == Source::kTickets ? &wk.rows : nullptr, &wk.keep);
      if (kept == 0) return Status::OK();
      if (kept < seg->num_tickets()) {
        keep = wk.keep.data();
        for (uint32_t t = 0; t < seg->num_tickets(); ++t)
          if (keep[t]) wk.scoped_events += seg->event_begin[t + 1] - seg->event_begin[t];
      } else {
        wk.scoped_events += seg->num_events();
      }
    }
    wk.eval.StartBatch(&wk.rows);
    if (!repeats_.empty()) {
      wk.repeat_answers.clear();
      for (const RepeatIndex& r : repeats_) wk.repeat_answers.push_back(r.Answers(ref.partition, ref.segment));
      wk.eval.SetRepeatAnswers(&wk.repeat_answers);
    }

    // Rows placed in time and cut to `during`.
    Selection initial;
    std::string initial_key;  // names `initial` when it depends on the segment only (not every row)
    const int64_t* place = nullptr;
    if (q_.source == Source::kTickets) {
      const uint32_t nt = seg->num_tickets();
      wk.initial.clear();
      bool all = true;
      if (q_.at && (!q_.at->is_created || q_.at_last)) {
        const AtPlacement& at = AtPlacements(*seg, AtMemoKey(q_.at->code, q_.at_last), q_.at->code, q_.at_last,
                                             &wk.at_own);
        // Without a window or a scope the rows are the tickets holding an A.
        const bool every_found = !q_.during && keep == nullptr;
        if (every_found) {
          wk.initial.assign(at.rows.begin(), at.rows.end());
          all = at.rows.size() == nt;
          initial_key = AtMemoKey(q_.at->code, q_.at_last);  // the rows depend on the segment only
        }
        for (uint32_t t = 0; t < nt && !every_found; ++t) {
          if (keep != nullptr && !keep[t]) {
            all = false;
            continue;
          }
          if (at.found[t] && InWindow(at.place[t])) wk.initial.push_back(t);
          else all = false;
        }
        place = at.place.data();
      } else if (placed_) {
        const int64_t* created = wk.rows.Created();
        place = created;
        if (q_.during || keep != nullptr) {  // else every ticket is a row
          for (uint32_t t = 0; t < nt; ++t) {
            if (InWindow(created[t]) && (keep == nullptr || keep[t])) wk.initial.push_back(t);
            else all = false;
          }
        }
      } else if (keep != nullptr) {
        // Nothing reads the placement (no during, bucket, at or exemption):
        // every ticket in scope is a row.
        for (uint32_t t = 0; t < nt; ++t) {
          if (keep[t]) wk.initial.push_back(t);
          else all = false;
        }
      }
      initial = all ? Selection{nullptr, nt, false} : Selection{wk.initial.data(), static_cast<uint32_t>(wk.initial.size()), false};
    } else {
      const uint32_t ne = seg->num_events();
      place = seg->time_ms.data();
      if (keep != nullptr) {
        // The events of the tickets in scope (and in `during`), written
        // through a plain pointer: this loop is the scope's whole cost here.
        wk.initial.resize(ne);
        uint32_t* rows = wk.initial.data();
        uint32_t n = 0;
        const uint32_t* begin = seg->event_begin.data();
        const uint32_t nt = seg->num_tickets();
        const int64_t lo = q_.during ? q_.during->first : INT64_MIN, hi = q_.during ? q_.during->second : INT64_MAX;
        for (uint32_t t = 0; t < nt; ++t) {
          if (!keep[t]) continue;
          const uint32_t end = begin[t + 1];
          if (!q_.during) {
            for (uint32_t e = begin[t]; e < end; ++e) rows[n++] = e;
          } else {
            for (uint32_t e = begin[t]; e < end; ++e)
              if (place[e] >= lo && place[e] < hi) rows[n++] = e;
          }
        }
        initial = Selection{rows, n, false};
      } else if (q_.during) {
        wk.initial.clear();
        for (uint32_t e = 0; e < ne; ++e)
          if (InWindow(place[e])) wk.initial.push_back(e);
        initial = Selection{wk.initial.data(), static_cast<uint32_t>(wk.initial.size()), false};
      } else {
        initial = Selection{nullptr, ne, false};
      }
    }
    if (initial.n == 0) return Status::OK();

    Selection main = initial;
    // Main rows that depend on the segment only (every row, or the rows of
    // a filter kept with it) are named by wk.main_key for KeptGroups.
    if (initial.rows == nullptr && initial.n == wk.rows.num_rows()) initial_key = "r";
    wk.main_key = !wk.scope && q_.exclusions.empty() ? initial_key : "";
    if (q_.where != nullptr) {
      main = wk.eval.FilterSelection(*q_.where, initial, &wk.selected);
      const bool kept = main.rows != wk.selected.data();
      const std::string& pred = wk.eval.MemoKeyOf(*q_.where);
      wk.main_key = !wk.main_key.empty() && kept && !pred.empty() ? wk.main_key + "/f" + pred : "";
      if (main.n == 0) return Status::OK();
    }
    if (!q_.exclusions.empty()) {
      ApplyExclusions(wk, place, &main);
      if (main.n == 0) return Status::OK();
    }
    wk.eval.SetMain(main);

    const uint32_t* gids = nullptr;
    if (!q_.groups.empty()) {
      GroupIds(wk, main, place, seg, ordinal);
      gids = wk.gids.data();
      // Without limit or having every group becomes a result row: a worker
      // already past the row cap stops the query now, before the groups
      // cost more memory (each worker's groups are a subset of the result's).
      if (!q_.limit && q_.having == nullptr && wk.table.size() > options_.max_result_rows)
        return Status::ResourceExhausted("the result has more than " + std::to_string(options_.max_result_rows) +
                                         " rows (the row limit); narrow the query or add a limit");
    }
    for (size_t j = 0; j < q_.aggregates.size(); ++j) {
      const AggregateSpec& spec = q_.aggregates[j];
      if (spec.cycles) {  // over the selected tickets' cycles, not the tickets
        UpdateOverCycles(spec, *seg, main, gids, ordinal, wk.aggs[j].get());
        continue;
      }
      AggregateInput in;
      for (size_t k = 0; k < spec.args.size() && k < 2; ++k) in.args[k] = &wk.eval.EvalMain(*spec.args[k]);
      in.segment = seg;
      in.segment_ordinal = ordinal;
      wk.aggs[j]->Update(gids, main.n, in);
    }
    return Status::OK();
  }

  // Exemption windows of an `evaluate`: drops the rows of *main placed in a
  // window whose predicate is true there.
  void ApplyExclusions(Worker& wk, const int64_t* place, Selection* main) {
    std::vector<uint32_t>& kept = wk.kept;
    kept.assign(main->rows ? main->rows : nullptr, main->rows ? main->rows + main->n : nullptr);
    if (main->rows == nullptr) {
      kept.resize(main->n);
      for (uint32_t i = 0; i < main->n; ++i) kept[i] = i;
    }
    for (const BoundExclusion& x : q_.exclusions) {
      wk.in_window.clear();
      for (uint32_t r : kept)
        if (place[r] >= x.start_ms && place[r] < x.end_ms) wk.in_window.push_back(r);
      if (wk.in_window.empty()) continue;
      wk.excluded.clear();
      if (x.pred == nullptr) {
        wk.excluded = wk.in_window;
      } else {
        Selection window{wk.in_window.data(), static_cast<uint32_t>(wk.in_window.size()), false};
        wk.eval.Filter(*x.pred, window, &wk.excluded);
      }
      if (wk.excluded.empty()) continue;
      // Both ascending: a merge keeps the rows not excluded.
      size_t w = 0, j = 0;
      for (uint32_t r : kept) {
        while (j < wk.excluded.size() && wk.excluded[j] < r) ++j;
        if (j < wk.excluded.size() && wk.excluded[j] == r) continue;
        kept[w++] = r;
      }
      kept.resize(w);
    }
    *main = Selection{kept.data(), static_cast<uint32_t>(kept.size()), false};
  }

  bool InWindow(int64_t t) const { return !q_.during || (t >= q_.during->first && t < q_.during->second); }

  // Each main row's group key parts into wk.parts (a dictionary key alone
  // is left in vecs[0], its codes being the parts); vecs[j]: key j's values.
  void ComputeParts(Worker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                    uint32_t ordinal, std::vector<const Vec*>* vecs_out) {
    const size_t k = q_.groups.size();
    const uint32_t n = main.n;
    std::vector<const Vec*>& vecs = *vecs_out;
    vecs.assign(k, nullptr);
    for (size_t j = 0; j < k; ++j) {
      std::vector<uint64_t>& p = wk.parts[j];
      p.resize(n);
      const GroupKey& g = q_.groups[j];
      if (g.is_bucket) {
        const int64_t* starts = q_.source == Source::kTickets && place != nullptr
                                    ? KeptBucketStarts(*seg, BucketMemoKey(q_, g, created_code_), place,
                                                       wk.bucketers[j].get())
                                    : nullptr;
        if (starts != nullptr) {
          for (uint32_t i = 0; i < n; ++i) p[i] = static_cast<uint64_t>(starts[main.row(i)]);
          continue;
        }
        wk.times.resize(n);
        for (uint32_t i = 0; i < n; ++i) wk.times[i] = place[main.row(i)];
        wk.bucketers[j]->StartMany(wk.times.data(), n, wk.times.data());
        for (uint32_t i = 0; i < n; ++i) p[i] = static_cast<uint64_t>(wk.times[i]);
      } else {
        vecs[j] = &wk.eval.EvalMain(*g.expr);
        const Vec& v = *vecs[j];
        if (k == 1 && v.type == ValueType::kString && v.str.kind == StrKind::kDict && !v.is_const()) continue;
        KeyParts(v, ordinal, p.data());
      }
    }
  }

  // Group keys kept with the segment (kept_scan.h): when the main rows
  // depend on the segment only (wk.main_key) and every key part has a memo
  // key.
  const LocalGroups* KeptGroups(Worker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                                uint32_t ordinal) {
    if (wk.main_key.empty()) return nullptr;
    std::string key = MemoKey('g', static_cast<uint32_t>(q_.source)) + wk.main_key;
    for (const GroupKey& g : q_.groups) {
      const std::string& part = g.is_bucket ? BucketMemoKey(q_, g, created_code_) : wk.eval.MemoKeyOf(*g.expr);
      if (part.empty()) return nullptr;
      key += "|" + part;
    }
    std::vector<const Vec*> vecs;
    const Vec* dict = nullptr;  // one dictionary key: its codes are the parts
    return KeptLocalGroups(
        *seg, key, main.n, q_.groups.size(),
        [&] {
          ComputeParts(wk, main, place, seg, ordinal, &vecs);
          if (q_.groups.size() == 1 && !q_.groups[0].is_bucket && vecs[0]->type == ValueType::kString &&
              vecs[0]->str.kind == StrKind::kDict && !vecs[0]->is_const())
            dict = vecs[0];
        },
        [&](size_t j, uint32_t i) {
          return dict != nullptr ? (dict->u32[i] == 0 ? kNullPart : uint64_t{dict->u32[i]}) : wk.parts[j][i];
        });
  }

  void GroupIds(Worker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
                uint32_t ordinal) {
    const size_t k = q_.groups.size();
    const uint32_t n = main.n;
    wk.gids.resize(n);
    if (const LocalGroups* lg = KeptGroups(wk, main, place, seg, ordinal)) {
      const size_t groups_before = wk.table.size();
      wk.local_map.resize(lg->first.size());
      for (size_t g = 0; g < lg->first.size(); ++g) {
        bool inserted;
        const uint64_t* parts = lg->parts.data() + g * k;
        wk.local_map[g] = wk.table.FindOrInsert(parts, &inserted);
        if (!inserted) continue;
        std::vector<Value> values(k);
        for (size_t j = 0; j < k; ++j) {
          if (q_.groups[j].is_bucket)
            values[j] = IsCyclicUnit(q_.groups[j].unit) ? Value::Number(static_cast<double>(static_cast<int64_t>(parts[j])))
                                                        : Value::Time(static_cast<int64_t>(parts[j]));
          else values[j] = VecValue(wk.eval.EvalMain(*q_.groups[j].expr), lg->first[g], seg, snap_.catalog(), &q_);
        }
        wk.keys.push_back(std::move(values));
      }
      for (uint32_t i = 0; i < n; ++i) wk.gids[i] = wk.local_map[lg->local[i]];
      if (wk.table.size() != groups_before)
        for (auto& a : wk.aggs) a->Resize(wk.table.size());
      return;
    }
    std::vector<const Vec*> vecs;
    ComputeParts(wk, main, place, seg, ordinal, &vecs);
    wk.key.resize(k);
    const size_t groups_before = wk.table.size();
    auto materialize = [&](uint32_t i) {
      std::vector<Value> values(k);
      for (size_t j = 0; j < k; ++j) {
        if (q_.groups[j].is_bucket)
          values[j] = IsCyclicUnit(q_.groups[j].unit) ? Value::Number(static_cast<double>(static_cast<int64_t>(wk.parts[j][i])))
                                                      : Value::Time(static_cast<int64_t>(wk.parts[j][i]));
        else values[j] = VecValue(*vecs[j], i, seg, snap_.catalog(), &q_);
      }
      wk.keys.push_back(std::move(values));
    };
    if (k == 1) {
      // One dictionary key: its codes are the key parts (KeyParts: 0 is null).
      const Vec* dict = q_.groups[0].is_bucket || vecs[0]->type != ValueType::kString ||
                                vecs[0]->str.kind != StrKind::kDict || vecs[0]->is_const()
                            ? nullptr
                            : vecs[0];
      const uint64_t* p = wk.parts[0].data();
      for (uint32_t i = 0; i < n; ++i) {
        const uint64_t x = dict != nullptr ? (dict->u32[i] == 0 ? kNullPart : dict->u32[i]) : p[i];
        const bool small = x < kDirectLimit;
        if (small && x < wk.direct.size() && wk.direct[x] != 0) {
          wk.gids[i] = wk.direct[x] - 1;
          continue;
        }
        bool inserted;
        const uint32_t g = wk.table.FindOrInsert(&x, &inserted);
        if (inserted) materialize(i);
        if (small) {
          if (x >= wk.direct.size()) wk.direct.resize(x + 1, 0);
          wk.direct[x] = g + 1;
        }
        wk.gids[i] = g;
      }
    } else {
      // Rows come ticket by ticket, so neighbours often share the whole key
      // (same agent, same day): reuse the previous row's group then. With
      // two keys and a small first one, also remember per first value the
      // last second value and its group: a hit skips the hash lookup.
      uint32_t prev = 0;
      bool have_prev = false;
      const uint64_t* first = wk.parts[0].data();
      const uint64_t* second = wk.parts[1].data();
      for (uint32_t i = 0; i < n; ++i) {
        bool same = have_prev && first[i] == wk.key[0] && second[i] == wk.key[1];
        for (size_t j = 2; j < k && same; ++j) same = wk.key[j] == wk.parts[j][i];
        if (!same) {
          for (size_t j = 0; j < k; ++j) wk.key[j] = wk.parts[j][i];
          const uint64_t f = first[i];
          Worker::LastGroup* cached = nullptr;
          if (k == 2 && f < kDirectLimit) {
            if (f >= wk.last_by_first.size()) wk.last_by_first.resize(f + 1);
            cached = &wk.last_by_first[f];
          }
          if (cached != nullptr && cached->gid_plus_one != 0 && cached->second == second[i]) {
            prev = cached->gid_plus_one - 1;
          } else {
            bool inserted;
            prev = wk.table.FindOrInsert(wk.key.data(), &inserted);
            if (inserted) materialize(i);
            if (cached != nullptr) *cached = Worker::LastGroup{second[i], prev + 1};
          }
          have_prev = true;
        }
        wk.gids[i] = prev;
      }
    }
    if (wk.table.size() != groups_before)
      for (auto& a : wk.aggs) a->Resize(wk.table.size());
  }

  // Default order: the group keys ascending (CompareForSort per column).
  // Each key column has few distinct values (codes, buckets), identified by
  // their key parts: rank those once with Value compares, then sort the
  // rows by integer rank tuples.
  void SortByGroupKeys(const GroupTable& table, const std::vector<uint32_t>& row_group,
                       std::vector<std::vector<Value>>* rows) const {
    const size_t n = rows->size(), nkeys = q_.groups.size();
    if (n < 2 || nkeys == 0) return;
    std::vector<uint32_t> rank(n * nkeys);
    std::vector<std::pair<uint64_t, uint32_t>> by_part(n);  // (part, row)
    std::vector<uint32_t> reps, rep_rank;  // one row per distinct part, in part order
    for (size_t j = 0; j < nkeys; ++j) {
      for (uint32_t r = 0; r < n; ++r) by_part[r] = {table.Key(row_group[r])[j], r};
      std::sort(by_part.begin(), by_part.end());
      reps.clear();
      for (size_t i = 0; i < n; ++i)
        if (i == 0 || by_part[i].first != by_part[i - 1].first) reps.push_back(by_part[i].second);
      std::vector<uint32_t> order(reps.size());
      for (uint32_t d = 0; d < order.size(); ++d) order[d] = d;
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return CompareForSort((*rows)[reps[a]][j], (*rows)[reps[b]][j]) < 0;
      });
      rep_rank.assign(reps.size(), 0);
      for (uint32_t pos = 0; pos < order.size(); ++pos) rep_rank[order[pos]] = pos;
      size_t d = 0;
      for (size_t i = 0; i < n; ++i) {
        if (i > 0 && by_part[i].first != by_part[i - 1].first) ++d;
        rank[size_t{by_part[i].second} * nkeys + j] = rep_rank[d];
      }
    }
    std::vector<uint32_t> order(n);
    for (uint32_t r = 0; r < n; ++r) order[r] = r;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return std::lexicographical_compare(rank.begin() + size_t{a} * nkeys, rank.begin() + size_t{a + 1} * nkeys,
                                          rank.begin() + size_t{b} * nkeys, rank.begin() + size_t{b + 1} * nkeys);
    });
    std::vector<std::vector<Value>> sorted;
    sorted.reserve(n);
    for (uint32_t r : order) sorted.push_back(std::move((*rows)[r]));
    rows->swap(sorted);
  }

  // ---- combine and finish ---------------------------------------------------
  void Merge() {
    Worker& base = *workers_[0];
    std::vector<uint32_t> map;
    for (size_t w = 1; w < workers_.size(); ++w) {
      Worker& other = *workers_[w];
      map.resize(other.table.size());
      for (uint32_t g = 0; g < other.table.size(); ++g) {
        bool inserted;
        map[g] = base.table.FindOrInsert(other.table.Key(g), &inserted);
        if (inserted) base.keys.push_back(std::move(other.keys[g]));
      }
      for (size_t j = 0; j < base.aggs.size(); ++j) {
        base.aggs[j]->Resize(base.table.size());
        base.aggs[j]->Combine(*other.aggs[j], map.data());
      }
      workers_[w].reset();  // free its states early
    }
  }

  Status Finish(Result* out) {
    Worker& base = *workers_[0];
    out->columns.clear();
    out->rows.clear();
    for (const GroupKey& g : q_.groups) out->columns.push_back({g.name, g.type});
    for (const SelectItem& i : q_.items) out->columns.push_back({i.name, i.type});
    const size_t ngroups = base.table.size();
    std::vector<uint32_t> row_group;  // the group of each output row
    std::vector<Value> aggs(q_.aggregates.size());
    for (size_t g = 0; g < ngroups; ++g) {
      if ((g & 4095) == 0) KPI_RETURN_IF_ERROR(CheckStop(stop_));
      for (size_t j = 0; j < aggs.size(); ++j) aggs[j] = base.aggs[j]->Finalize(g);
      const std::vector<Value>& keys = base.keys[g];
      std::vector<Value> items;
      items.reserve(q_.items.size());
      for (const SelectItem& i : q_.items) items.push_back(EvalGroupExpr(*i.expr, keys, aggs, nullptr));
      if (q_.having != nullptr) {
        const Value h = EvalGroupExpr(*q_.having, keys, aggs, &items);
        if (h.type != ValueType::kBool || !h.boolean) continue;
      }
      std::vector<Value> row = std::move(base.keys[g]);  // not read again
      row.insert(row.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
      out->rows.push_back(std::move(row));
      row_group.push_back(static_cast<uint32_t>(g));
    }
    SortByGroupKeys(base.table, row_group, &out->rows);
    KPI_RETURN_IF_ERROR(OrderAndLimit(q_.order, q_.limit, options_.max_result_rows, &out->rows));
    out->warnings = q_.warnings;
    out->tz = q_.tz_name;
    out->message.clear();
    return Status::OK();
  }

  const BoundQuery& q_;
  const storage::Snapshot& snap_;
  const ScanPlan& plan_;
  const ExecOptions& options_;
  StopConditions stop_;
  int threads_ = 1;
  uint32_t created_code_ = 0;
  storage::SegmentColumns columns_;  // what the scan decodes (needed_columns.h)
  bool placed_ = false;              // rows are placed in time (NeedsPlacement)
  storage::ScanSpec spec_;  // the plan's, with the scope's pruning
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> scope_dims_;
  bool scope_impossible_ = false;  // the scope names a value or dimension never seen
  std::vector<RepeatIndex> repeats_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace

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
