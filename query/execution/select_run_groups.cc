// SelectRun's grouping and finish (query/execution/select_run.h): each
// main row's group id (key parts, groups kept with the segment, a direct
// array or the hash table), then the workers' merge, the finished rows and
// their default order.
#include "query/execution/select_run.h"

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

}  // namespace

// Each main row's group key parts into wk.parts (a dictionary key alone
// is left in vecs[0], its codes being the parts); vecs[j]: key j's values.
void SelectRun::ComputeParts(SelectWorker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
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
      place = TicketPlace(wk, place);
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
const LocalGroups* SelectRun::KeptGroups(SelectWorker& wk, const Selection& main, const int64_t* place,
                                         const storage::Segment* seg, uint32_t ordinal) {
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

void SelectRun::GroupIds(SelectWorker& wk, const Selection& main, const int64_t* place, const storage::Segment* seg,
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
        if (q_.groups[j].is_bucket) values[j] = BucketValue(j, parts[j]);
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
      if (q_.groups[j].is_bucket) values[j] = BucketValue(j, wk.parts[j][i]);
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
        SelectWorker::LastGroup* cached = nullptr;
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
          if (cached != nullptr) *cached = SelectWorker::LastGroup{second[i], prev + 1};
        }
        have_prev = true;
      }
      wk.gids[i] = prev;
    }
  }
  if (wk.table.size() != groups_before)
    for (auto& a : wk.aggs) a->Resize(wk.table.size());
}

Value SelectRun::BucketValue(size_t j, uint64_t part) const {
  return IsCyclicUnit(q_.groups[j].unit) ? Value::Number(static_cast<double>(static_cast<int64_t>(part)))
                                         : Value::Time(static_cast<int64_t>(part));
}

Status SelectRun::CheckRowCap(const SelectWorker& wk) const {
  if (!q_.limit && q_.having == nullptr && wk.table.size() > options_.max_result_rows)
    return Status::ResourceExhausted("the result has more than " + std::to_string(options_.max_result_rows) +
                                     " rows (the row limit); narrow the query or add a limit");
  return Status::OK();
}

void SelectRun::BuildStates(SelectWorker& wk, const Selection& main, const int64_t* place,
                            const storage::Segment* seg, uint32_t ordinal, KeptStates* out) {
  const size_t k = q_.groups.size();
  const uint32_t n = main.n;
  std::vector<uint32_t>& local = wk.gids;  // each main row's local group
  local.assign(n, 0);
  if (k == 0) {
    out->groups = n > 0 ? 1 : 0;
  } else if (n > 0) {
    std::vector<const Vec*> vecs;
    ComputeParts(wk, main, place, seg, ordinal, &vecs);
    // One dictionary key is left in vecs[0]: its codes are the parts.
    const Vec* dict = k == 1 && vecs[0] != nullptr && vecs[0]->type == ValueType::kString &&
                              vecs[0]->str.kind == StrKind::kDict && !vecs[0]->is_const()
                          ? vecs[0]
                          : nullptr;
    for (size_t j = 0; j < k; ++j) {
      out->types.push_back(vecs[j] != nullptr ? vecs[j]->type : ValueType::kTime);
      out->domains.push_back(vecs[j] != nullptr ? vecs[j]->str : StrDomain{});
    }
    GroupTable table(k);
    std::vector<uint64_t> row(k);
    for (uint32_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < k; ++j)
        row[j] = dict != nullptr ? (dict->u32[i] == 0 ? kNullPart : uint64_t{dict->u32[i]}) : wk.parts[j][i];
      bool inserted;
      local[i] = table.FindOrInsert(row.data(), &inserted);
      if (inserted) out->parts.insert(out->parts.end(), row.begin(), row.end());
    }
    out->groups = table.size();
  }
  for (const AggregateSpec& spec : q_.aggregates) {
    std::unique_ptr<AggregateState> state = spec.family->create(spec, q_);
    state->Resize(out->groups);
    if (n > 0) {
      AggregateInput in;
      for (size_t a = 0; a < spec.args.size() && a < 2; ++a) in.args[a] = &wk.eval.EvalMain(*spec.args[a]);
      in.segment = seg;
      in.segment_ordinal = ordinal;
      state->Update(k == 0 ? nullptr : local.data(), n, in);
    }
    out->aggs.push_back(std::move(state));
  }
  FinishKeptStates(q_, out);
}

Status SelectRun::AddStates(SelectWorker& wk, const KeptStates& states) {
  if (states.groups == 0) return Status::OK();
  const size_t k = q_.groups.size();
  wk.local_map.resize(states.groups);
  if (k == 0) {
    wk.local_map[0] = 0;  // the one group
  } else {
    const size_t groups_before = wk.table.size();
    for (size_t g = 0; g < states.groups; ++g) {
      bool inserted;
      const uint64_t* parts = states.parts.data() + g * k;
      wk.local_map[g] = wk.table.FindOrInsert(parts, &inserted);
      if (!inserted) continue;
      std::vector<Value> values(k);
      for (size_t j = 0; j < k; ++j)
        values[j] = q_.groups[j].is_bucket
                        ? BucketValue(j, parts[j])
                        : PartValue(parts[j], states.types[j], states.domains[j], snap_.catalog(), &q_);
      wk.keys.push_back(std::move(values));
    }
    if (wk.table.size() != groups_before)
      for (auto& a : wk.aggs) a->Resize(wk.table.size());
  }
  for (size_t j = 0; j < wk.aggs.size(); ++j) wk.aggs[j]->Combine(*states.aggs[j], wk.local_map.data());
  return CheckRowCap(wk);
}

// Default order: the group keys ascending (CompareForSort per column).
// Each key column has few distinct values (codes, buckets), identified by
// their key parts: rank those once with Value compares, then sort the
// rows by integer rank tuples.
void SelectRun::SortByGroupKeys(const GroupTable& table, const std::vector<uint32_t>& row_group,
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

void SelectRun::Merge() {
  SelectWorker& base = *workers_[0];
  std::vector<uint32_t> map;
  for (size_t w = 1; w < workers_.size(); ++w) {
    SelectWorker& other = *workers_[w];
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

Status SelectRun::Finish(Result* out) {
  SelectWorker& base = *workers_[0];
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

}  // namespace kpi::query
