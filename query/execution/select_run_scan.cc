// SelectRun's scan (query/execution/select_run.h): the segments on the
// workers, the repeat_within pre-pass, one segment's rows to aggregate
// updates, and exemption windows.
#include "query/execution/select_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/disk_memo.h"
#include "query/execution/eval.h"
#include "query/execution/cycles.h"
#include "query/execution/group_eval.h"
#include "query/execution/group_table.h"
#include "query/execution/kept_rollup.h"
#include "query/execution/kept_scan.h"
#include "query/execution/kept_states.h"
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

// The view of `ref` the query may see: the loaded segment (the `columns`
// the query reads; hollow when `hollow` allows and nothing needs filtering,
// hollow_scan.h; through the derived-value files when there are, disk_memo.h),
// or its `as of` copy.
Status LoadVisible(const storage::Snapshot& snap, storage::MemoFiles* files, const storage::SegmentRef& ref,
                   const storage::SegmentColumns& columns, std::optional<uint32_t> max_batch, bool hollow,
                   std::shared_ptr<const storage::Segment>* holder, storage::Segment* filtered,
                   const storage::Segment** out) {
  const bool later_batches = max_batch && ref.zone.max_batch > *max_batch;
  if (files != nullptr) KPI_RETURN_IF_ERROR(LoadWithFiles(snap, *files, ref, columns, hollow && !later_batches, holder));
  else KPI_RETURN_IF_ERROR(snap.Load(ref, columns, hollow && !later_batches, holder));
  *out = holder->get();
  // A segment holding corrections always needs the filter (replaced copies
  // stay stored for `as of`); others only when it holds later batches.
  if (later_batches || !(*holder)->dead_rows.empty()) {
    FilterSegmentAsOf(**holder, max_batch.value_or(UINT32_MAX), filtered);
    *out = filtered;
  }
  return Status::OK();
}

bool SameSpec(const storage::ScanSpec& a, const storage::ScanSpec& b) {
  return a.min_time_ms == b.min_time_ms && a.max_time_ms == b.max_time_ms && a.event_codes == b.event_codes &&
         a.agent_codes == b.agent_codes && a.dim_codes == b.dim_codes && a.max_batch == b.max_batch &&
         a.min_placement_ms == b.min_placement_ms && a.max_placement_ms == b.max_placement_ms;
}

}  // namespace

Status SelectRun::ScanAndMerge(ExecStats* out) {
  storage::PlanStats stats;
  std::vector<storage::SegmentRef> refs = snap_.Plan(spec_, &stats);
  if (plan_.impossible || scope_impossible_) {
    refs.clear();
    stats.partitions_scanned = stats.segments_scanned = stats.events_in_scanned_segments = 0;
  }
  // repeat_within: the segments its pre-pass reads and the key of their
  // answers. Named by those keys a statement keeps states too, and its
  // pre-pass runs only when some are missing (below).
  bool deferred = false;
  if (!refs.empty() && !q_.repeats.empty()) {
    PlanRepeats(refs);
    if (std::none_of(repeat_keys_.begin(), repeat_keys_.end(), [](const std::string& k) { return k.empty(); }))
      states_key_ = KeptStatesKey(q_, options_, created_code_, &repeat_keys_);
    deferred = !states_key_.empty();
    if (!deferred) KPI_RETURN_IF_ERROR(BuildRepeatIndexes());
  }
  // One worker per `rows_per_thread` rows to read (at least one, at most
  // the configured threads and the segments): a small query costs less
  // than starting a thread, and a server runs many of them side by side.
  const uint64_t per = options_.rows_per_thread;
  uint64_t to_read = stats.events_in_scanned_segments;
  if (zone_counts_) {  // rows counted from zone maps are not read
    to_read = 0;
    for (const storage::SegmentRef& ref : refs)
      if (!ZoneCount(ref, q_.source, plan_.max_batch)) to_read += ref.zone.num_events;
  }
  const size_t by_rows = per == 0 ? SIZE_MAX : static_cast<size_t>(to_read / per) + 1;
  const int threads = static_cast<int>(
      std::min<size_t>({static_cast<size_t>(threads_), std::max<size_t>(refs.size(), 1), by_rows}));
  for (int w = 0; w < threads; ++w) {
    workers_.push_back(std::make_unique<SelectWorker>(q_));
    if (options_.scope) workers_.back()->scope = std::make_unique<ScopeFilter>(*options_.scope, snap_.catalog());
  }
  // Kept states combine per partition (kept_rollup.h): its segments are
  // one item, refs[units[u]..units[u + 1]).
  std::vector<size_t> units;
  const bool values = std::any_of(q_.aggregates.begin(), q_.aggregates.end(),
                                  [](const AggregateSpec& a) { return a.family->kept_values; });
  // (Statements keeping every value roll up their members, in the memo
  // only: kept_rollup.h KeptMembers.)
  members_ = values;
  if (!states_key_.empty() && !zone_counts_ && !(values && files_))
    for (size_t i = 0; i < refs.size(); ++i)
      if (i == 0 || refs[i].partition != refs[i - 1].partition) units.push_back(i);
  if (!units.empty()) units.push_back(refs.size());
  const size_t items = units.empty() ? refs.size() : units.size() - 1;
  auto scan = [&](SelectWorker& wk, size_t item) {
    return units.empty() ? ScanSegment(wk, refs[item], static_cast<uint32_t>(item))
                         : ScanPartition(wk, refs, units[item], units[item + 1]);
  };
  if (deferred) {
    // Kept states only (an item adds all of its states or none); the
    // pre-pass, then the items missed.
    hits_only_ = true;
    std::vector<std::vector<size_t>> missed(threads);
    KPI_RETURN_IF_ERROR(RunParallel(threads, items, stop_, [&](int w, size_t item) {
      workers_[w]->missed = false;
      KPI_RETURN_IF_ERROR(scan(*workers_[w], item));
      if (workers_[w]->missed) missed[w].push_back(item);
      return Status::OK();
    }));
    hits_only_ = false;
    std::vector<size_t> rest;
    for (const auto& m : missed) rest.insert(rest.end(), m.begin(), m.end());
    if (!rest.empty()) {
      KPI_RETURN_IF_ERROR(BuildRepeatIndexes());
      KPI_RETURN_IF_ERROR(
          RunParallel(threads, rest.size(), stop_, [&](int w, size_t i) { return scan(*workers_[w], rest[i]); }));
    }
  } else {
    KPI_RETURN_IF_ERROR(RunParallel(threads, items, stop_, [&](int w, size_t item) { return scan(*workers_[w], item); }));
  }
  KPI_RETURN_IF_ERROR(CheckStop(stop_));
  // What the scan derived, for the next process; a cache: a directory it
  // cannot write leaves the statement's answer as it is.
  if (files_) (void)files_->Flush();
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

void SelectRun::PlanRepeats(const std::vector<storage::SegmentRef>& refs) {
  for (const RepeatSpec& r : q_.repeats) {
    storage::ScanSpec spec = RepeatScanSpec(q_, plan_, r.window_ms);
    spec.dim_codes.insert(spec.dim_codes.end(), scope_dims_.begin(), scope_dims_.end());
    if (SameSpec(spec, spec_)) {  // (no `during` or `where` narrowing the statement's: its own segments)
      repeat_refs_.push_back(&refs);
    } else {
      own_repeat_refs_.push_back(std::make_unique<std::vector<storage::SegmentRef>>(snap_.Plan(spec, nullptr)));
      repeat_refs_.push_back(own_repeat_refs_.back().get());
    }
    repeat_keys_.push_back(options_.scope || MemoOff() ? std::string()
                                                       : RepeatMemoKey(r, created_code_,
                                                                       plan_.max_batch.value_or(UINT32_MAX),
                                                                       *repeat_refs_.back()));
  }
}

Status SelectRun::BuildRepeatIndexes() {
  for (size_t ri = 0; ri < q_.repeats.size(); ++ri) {
    const RepeatSpec& r = q_.repeats[ri];
    const std::vector<storage::SegmentRef>& refs = *repeat_refs_[ri];
    std::vector<std::pair<uint32_t, uint32_t>> ids;
    for (const storage::SegmentRef& ref : refs) ids.emplace_back(ref.partition, ref.segment);
    RepeatIndex index(r.dims.size(), r.window_ms, std::move(ids));
    const int threads = static_cast<int>(std::min<size_t>(threads_, std::max<size_t>(refs.size(), 1)));
    // Answers of an earlier pre-pass over the same segment versions are
    // kept with each segment (memo_keys.h RepeatMemoKey): a repeat adopts
    // them instead of collecting and grouping every ticket again. Looking
    // them up reads no column (a hollow load), and stops at the first
    // segment without them. Not under a scope (whose tickets alone count).
    const std::string& key = repeat_keys_[ri];
    if (!key.empty()) {
      std::vector<std::shared_ptr<const std::vector<uint8_t>>> kept(refs.size());
      std::atomic<bool> all{true};
      KPI_RETURN_IF_ERROR(RunParallel(threads, refs.size(), stop_, [&](int, size_t i) {
        if (!all.load(std::memory_order_relaxed)) return Status::OK();
        if (files_) {  // an earlier process's answers, without loading the segment
          std::string stored;
          auto answers = std::make_shared<std::vector<uint8_t>>();
          // (one answer per ticket: readers check each ticket against the size)
          if (files_->Find(key, refs[i], &stored) &&
              DecodeMemoValue(stored, answers.get(), uint64_t{refs[i].zone.num_tickets} + 1))
            kept[i] = answers;
          else all.store(false, std::memory_order_relaxed);
          return Status::OK();
        }
        std::shared_ptr<const storage::Segment> holder;
        KPI_RETURN_IF_ERROR(snap_.Load(refs[i], columns_, /*hollow_ok=*/true, &holder));
        if (auto found = holder->memo.Find(key)) kept[i] = std::static_pointer_cast<const std::vector<uint8_t>>(found);
        else all.store(false, std::memory_order_relaxed);
        return Status::OK();
      }));
      if (all.load()) {
        for (size_t i = 0; i < refs.size(); ++i) index.Adopt(static_cast<uint32_t>(i), std::move(kept[i]));
        repeats_.push_back(std::move(index));
        continue;
      }
    }
    std::vector<std::shared_ptr<storage::MemoValues>> memos(refs.size());  // where the answers are kept
    std::vector<RepeatIndex::Collector> collectors(threads, RepeatIndex::Collector(r.dims.size()));
    // Each worker's share of the tickets and a margin (workers take
    // segments as they go): the collectors then fill without copying.
    uint64_t tickets = 0;
    for (const storage::SegmentRef& ref : refs) tickets += ref.zone.num_tickets;
    for (auto& c : collectors) c.Reserve(static_cast<size_t>(tickets / threads + tickets / 8 / threads + 1024));
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
      KPI_RETURN_IF_ERROR(LoadVisible(snap_, files_.get(), refs[i], columns_, plan_.max_batch, hollow_, &holder,
                                      &filtered[w], &seg));
      const DiskMemoScope disk(files_.get(), seg == holder.get() ? seg : nullptr, refs[i]);
      memos[i] = holder->memo.values();  // the version's, also when `seg` is its `as of` copy
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
      return holder->memo.status();  // a hollow segment that failed to decode
    }));
    index.Finish(&collectors, threads_);
    if (!key.empty()) {
      const auto none = std::make_shared<const std::vector<uint8_t>>();  // a segment without tickets: all null
      for (size_t i = 0; i < refs.size(); ++i) {
        std::shared_ptr<const std::vector<uint8_t>> answers = index.SlotAnswers(static_cast<uint32_t>(i));
        if (answers == nullptr) answers = none;
        if (memos[i] != nullptr) memos[i]->Keep(key, answers, answers->size() + 64);
        if (files_) {
          std::string encoded;
          EncodeMemoValue(*answers, &encoded);
          files_->Add(key, refs[i], std::move(encoded));
        }
      }
    }
    repeats_.push_back(std::move(index));
  }
  return Status::OK();
}

Status SelectRun::ScanSegment(SelectWorker& wk, const storage::SegmentRef& ref, uint32_t ordinal) {
  if (zone_counts_) {
    if (const std::optional<uint32_t> n = ZoneCount(ref, q_.source, plan_.max_batch)) {
      for (auto& a : wk.aggs) a->Update(nullptr, *n, AggregateInput{});
      return Status::OK();
    }
  }
  // Kept states an earlier process wrote for this version (disk_memo.h),
  // read without loading it: they are written only from a version read
  // whole (its own memo: never one holding corrections, which is always
  // read filtered), so one this read needs unfiltered (no later batch) is
  // provably the version they were built from.
  if (files_ && !states_key_.empty() && !(plan_.max_batch && ref.zone.max_batch > *plan_.max_batch)) {
    std::string stored;
    KeptStates states;
    if (files_->Find(states_key_, ref, &stored) && DecodeKeptStates(stored, q_, &states)) return AddStates(wk, states);
  }
  std::shared_ptr<const storage::Segment> holder;
  const storage::Segment* seg;
  // Kept states are found in a hollow segment too (kept_states.h).
  KPI_RETURN_IF_ERROR(LoadVisible(snap_, files_.get(), ref, columns_, plan_.max_batch,
                                  hollow_ || !states_key_.empty(), &holder, &wk.filtered, &seg));
  // Values of the version itself (not of a filtered copy) through the files.
  const DiskMemoScope disk(files_.get(), seg == holder.get() ? seg : nullptr, ref);
  KPI_RETURN_IF_ERROR(ScanRows(wk, ref, seg, ordinal));
  return holder->memo.status();  // a hollow segment that failed to decode: what it gave is not used
}

Status SelectRun::ScanRows(SelectWorker& wk, const storage::SegmentRef& ref, const storage::Segment* seg,
                           uint32_t ordinal) {
  if (seg->num_events() == 0 || seg->event_begin.size() != seg->num_tickets() + size_t{1}) return Status::OK();
  if (!states_key_.empty()) {
    if (hits_only_) {  // before repeat_within's pre-pass: kept states or nothing
      std::shared_ptr<const KeptStates> kept = FindStates(seg);
      if (kept == nullptr) {
        wk.missed = true;
        return Status::OK();
      }
      return AddStates(wk, *kept);
    }
    return AddStates(wk, *SegmentStates(wk, ref, seg, ordinal));
  }
  Selection main;
  const int64_t* place = nullptr;
  MainRows(wk, ref, seg, ordinal, &main, &place);
  if (main.n == 0) return Status::OK();

  const uint32_t* gids = nullptr;
  if (!q_.groups.empty()) {
    GroupIds(wk, main, place, seg, ordinal);
    gids = wk.gids.data();
    KPI_RETURN_IF_ERROR(CheckRowCap(wk));
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

std::shared_ptr<const KeptStates> SelectRun::FindStates(const storage::Segment* seg) {
  if (auto kept = seg->memo.Find(states_key_)) return std::static_pointer_cast<const KeptStates>(kept);
  // Kept by an earlier process for this very version (disk_memo.h)?
  if (const DiskMemoScope* disk = PersistedScope(*seg)) {
    std::string stored;
    auto states = std::make_shared<KeptStates>();
    if (disk->files->Find(states_key_, disk->version, &stored) && DecodeKeptStates(stored, q_, states.get())) {
      const size_t bytes = states->bytes;
      seg->memo.Keep(states_key_, states, bytes);
      return states;
    }
  }
  return nullptr;
}

std::shared_ptr<const KeptStates> SelectRun::SegmentStates(SelectWorker& wk, const storage::SegmentRef& ref,
                                                           const storage::Segment* seg, uint32_t ordinal) {
  if (auto kept = FindStates(seg)) return kept;
  const DiskMemoScope* disk = PersistedScope(*seg);
  // A miss: a hollow segment is decoded now unless every value the scan
  // reads comes through the memo (hollow_scan.h), which decodes on a miss.
  if (!hollow_) seg->memo.Materialize();
  auto states = std::make_shared<KeptStates>();
  {
    MemoBuildScope building;  // the states are kept, not what they are built from
    Selection main;
    const int64_t* place = nullptr;
    MainRows(wk, ref, seg, ordinal, &main, &place);
    BuildStates(wk, main, place, seg, ordinal, states.get());
  }
  const size_t bytes = states->bytes;
  // Kept when the version's memo has room; written for later processes
  // when kept in the version's own memo (from its whole rows).
  if (seg->memo.Keep(states_key_, states, bytes) == states && disk != nullptr && seg->memo.status().ok()) {
    std::string encoded;
    if (EncodeMemoValue(*states, &encoded)) disk->files->Add(states_key_, disk->version, std::move(encoded));
  }
  return states;
}

Status SelectRun::ScanPartition(SelectWorker& wk, const std::vector<storage::SegmentRef>& refs, size_t begin,
                                size_t end) {
  // One segment, or an `as of` reading one with later batches (whose
  // filtered copy keeps nothing): each segment's states alone.
  bool whole = end - begin > 1;
  for (size_t i = begin; i < end && whole; ++i)
    whole = !(plan_.max_batch && refs[i].zone.max_batch > *plan_.max_batch);
  if (!whole) {
    if (hits_only_ && end - begin > 1) {  // a partition is all found or left whole for later
      wk.missed = true;
      return Status::OK();
    }
    for (size_t i = begin; i < end; ++i)
      KPI_RETURN_IF_ERROR(ScanSegment(wk, refs[i], static_cast<uint32_t>(i)));
    return Status::OK();
  }
  const storage::SegmentRef* unit = refs.data() + begin;
  const size_t n = end - begin;
  const std::string key = RollupKey(states_key_, unit, n);
  const storage::SegmentRef& anchor_ref = unit[RollupAnchor(unit, n)];
  std::shared_ptr<const storage::Segment> anchor;
  if (files_) {
    // A one-statement process (its memo holds nothing yet; loading the
    // anchor would decode it): the combined states an earlier process
    // wrote for exactly these versions (disk_memo.h).
    auto kept = std::make_shared<KeptStates>();
    if (FindRollup(*files_, states_key_, key, unit, n, anchor_ref, q_, kept.get())) return AddStates(wk, *kept);
  } else {
    KPI_RETURN_IF_ERROR(snap_.Load(anchor_ref, columns_, /*hollow_ok=*/true, &anchor));
    if (auto kept = anchor->memo.Find(key)) {
      if (!members_) return AddStates(wk, *static_cast<const KeptStates*>(kept.get()));
      // Each member's states, while every one of them is still kept.
      const auto& members = static_cast<const KeptMembers*>(kept.get())->states;
      std::vector<std::shared_ptr<const KeptStates>> each;
      for (const auto& m : members) {
        each.push_back(m.lock());
        if (each.back() == nullptr) break;
      }
      if (each.size() == members.size() && (each.empty() || each.back() != nullptr)) {
        for (const auto& states : each) KPI_RETURN_IF_ERROR(AddStates(wk, *states));
        return Status::OK();
      }
    }
  }
  if (hits_only_) {
    wk.missed = true;
    return Status::OK();
  }
  // A miss: combine the segments' states (each kept or built as alone).
  StatesRollup rollup(q_);
  std::vector<std::shared_ptr<const KeptStates>> each;
  bool keep = true, combined = true;
  for (size_t i = begin; i < end; ++i) {
    std::shared_ptr<const storage::Segment> holder;
    const storage::Segment* seg;
    KPI_RETURN_IF_ERROR(LoadVisible(snap_, files_.get(), refs[i], columns_, plan_.max_batch, true, &holder,
                                    &wk.filtered, &seg));
    const DiskMemoScope disk(files_.get(), seg == holder.get() ? seg : nullptr, refs[i]);
    keep &= seg == holder.get();  // a version holding corrections is read filtered: keep nothing
    if (seg->num_events() == 0 || seg->event_begin.size() != seg->num_tickets() + size_t{1}) continue;
    std::shared_ptr<const KeptStates> states = SegmentStates(wk, refs[i], seg, static_cast<uint32_t>(i));
    KPI_RETURN_IF_ERROR(holder->memo.status());  // a hollow segment that failed to decode
    if (members_) {
      keep &= holder->memo.Find(states_key_) == states;  // a member is held by its own memo
    } else {
      combined = combined && rollup.Add(*states);
    }
    each.push_back(std::move(states));
  }
  if (members_) {
    if (keep && anchor) {
      auto members = std::make_shared<KeptMembers>();
      for (const auto& states : each) members->states.push_back(states);
      anchor->memo.Keep(key, members, members->states.size() * sizeof(std::weak_ptr<const KeptStates>) + 64);
    }
    for (const auto& states : each) KPI_RETURN_IF_ERROR(AddStates(wk, *states));
    return Status::OK();
  }
  if (!combined) {  // (group keys of different types: not expected)
    for (const auto& states : each) KPI_RETURN_IF_ERROR(AddStates(wk, *states));
    return Status::OK();
  }
  std::shared_ptr<KeptStates> all = rollup.Take();
  if (keep && anchor) anchor->memo.Keep(key, all, all->bytes);  // when the anchor's memo has room
  if (keep && files_) AddRollup(*files_, states_key_, key, unit, n, anchor_ref, *all);
  return AddStates(wk, *all);
}

void SelectRun::MainRows(SelectWorker& wk, const storage::SegmentRef& ref, const storage::Segment* seg,
                         uint32_t ordinal, Selection* main_out, const int64_t** place_out) {
  *main_out = Selection{nullptr, 0, false};
  wk.rows.Reset(seg, ordinal, q_.source, created_code_);
  // The scope first: tickets outside it (and their events) are never rows.
  const uint8_t* keep = nullptr;
  if (wk.scope) {
    const uint32_t kept =
        wk.scope->Mark(*seg, q_.source == Source::kTickets ? &wk.rows : nullptr, &wk.keep);
    if (kept == 0) return;
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
    } else if (placed_ && (q_.during || keep != nullptr)) {
      // Placed by creation: read here only for a window or a scope; else
      // every ticket is a row, and `place` stays null until a bucket or an
      // exclusion reads it (TicketPlace): groups kept with the segment
      // never do, and a cold process then reads no creation times (8 bytes
      // per ticket from the derived-value files).
      const int64_t* created = wk.rows.Created();
      place = created;
      for (uint32_t t = 0; t < nt; ++t) {
        if (InWindow(created[t]) && (keep == nullptr || keep[t])) wk.initial.push_back(t);
        else all = false;
      }
    } else if (keep != nullptr) {
      // Nothing reads the placement (no during, bucket, at or exemption):
      // every ticket in scope is a row.
      for (uint32_t t = 0; t < nt; ++t) {
        if (keep[t]) wk.initial.push_back(t);
        else all = false;
      }
    }
    initial = all ? Selection{nullptr, nt, false}
                  : Selection{wk.initial.data(), static_cast<uint32_t>(wk.initial.size()), false};
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
  if (initial.n == 0) return;

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
    if (main.n == 0) return;
  }
  if (!q_.exclusions.empty()) {
    ApplyExclusions(wk, TicketPlace(wk, place), &main);
    if (main.n == 0) return;
  }
  wk.eval.SetMain(main);
  *main_out = main;
  *place_out = place;
}


// Exemption windows of an `evaluate`: drops the rows of *main placed in a
// window whose predicate is true there.
void SelectRun::ApplyExclusions(SelectWorker& wk, const int64_t* place, Selection* main) {
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

}  // namespace kpi::query
