#include "query/execution/nested_select.h"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/executor.h"
#include "query/execution/value_rows.h"
#include "query/execution/group_eval.h"
#include "query/value_ops.h"

namespace kpi::query {

namespace {

constexpr uint32_t kBatch = 4096;

class NestedRun {
 public:
  NestedRun(BoundQuery* q, const Result& inner, const ExecOptions& options)
      : q_(*q), inner_(inner), options_(options), packer_(&q->dict_text[kValueRowDictColumn]) {
    for (const AggregateSpec& a : q_.aggregates) aggs_.push_back(a.family->create(a, q_));
    for (const GroupKey& g : q_.groups) key_columns_.push_back(g.expr ? g.expr->index : -1);
    if (q_.groups.empty()) NewGroup(nullptr);  // one group, present even with no rows
  }

  Status Run(Result* out) {
    const std::vector<std::vector<Value>>& rows = inner_.rows;
    std::vector<uint32_t> batch;  // inner row indices
    batch.reserve(kBatch);
    for (size_t r = 0; r < rows.size(); ++r) {
      if ((r & 65535) == 0) KPI_RETURN_IF_ERROR(CheckStop());
      if (q_.where != nullptr) {
        const Value w = EvalGroupExpr(*q_.where, rows[r], no_values_, nullptr);
        if (w.type != ValueType::kBool || !w.boolean) continue;
      }
      batch.push_back(static_cast<uint32_t>(r));
      if (batch.size() == kBatch) {
        Update(batch);
        batch.clear();
      }
    }
    if (!batch.empty()) Update(batch);
    return Finish(out);
  }

 private:
  Status CheckStop() const {
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed))
      return Status::Aborted("query cancelled");
    if (std::chrono::steady_clock::now() > options_.deadline) return Status::TimedOut("query timed out");
    return Status::OK();
  }

  uint32_t NewGroup(const std::vector<Value>* row) {
    std::vector<Value> keys;
    for (int c : key_columns_) keys.push_back(row && c >= 0 ? (*row)[c] : Value::Null());
    keys_.push_back(std::move(keys));
    for (auto& a : aggs_) a->Resize(keys_.size());
    return static_cast<uint32_t>(keys_.size() - 1);
  }

  // The group of an inner row: hashed on its key columns.
  uint32_t GroupOf(uint32_t r) {
    const std::vector<Value>& row = inner_.rows[r];
    uint64_t h = 0x84222325;
    for (int c : key_columns_) h = (h ^ HashValue(row[c])) * 0x100000001b3ULL;
    auto range = by_hash_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      const std::vector<Value>& keys = keys_[it->second];
      bool same = true;
      for (size_t k = 0; k < key_columns_.size() && same; ++k) same = keys[k] == row[key_columns_[k]];
      if (same) return it->second;
    }
    const uint32_t g = NewGroup(&row);
    by_hash_.emplace(h, g);
    return g;
  }

  void Update(const std::vector<uint32_t>& batch) {
    const uint32_t n = static_cast<uint32_t>(batch.size());
    const uint32_t* gids = nullptr;
    if (!q_.groups.empty()) {
      gids_.resize(n);
      for (uint32_t i = 0; i < n; ++i) gids_[i] = GroupOf(batch[i]);
      gids = gids_.data();
    }
    for (size_t j = 0; j < q_.aggregates.size(); ++j) {
      const AggregateSpec& spec = q_.aggregates[j];
      AggregateInput in;
      for (size_t k = 0; k < spec.args.size() && k < 2; ++k) {
        const BoundExpr& arg = *spec.args[k];
        ptrs_.resize(n);
        if (arg.kind == BoundKind::kGroupKey) {  // a bare inner column: no copies
          for (uint32_t i = 0; i < n; ++i) ptrs_[i] = &inner_.rows[batch[i]][arg.index];
        } else {
          computed_.resize(n);
          for (uint32_t i = 0; i < n; ++i) {
            computed_[i] = EvalGroupExpr(arg, inner_.rows[batch[i]], no_values_, nullptr);
            ptrs_[i] = &computed_[i];
          }
        }
        packer_.Pack(ptrs_, spec.arg_types[k], &vecs_[k]);
        in.args[k] = &vecs_[k];
      }
      aggs_[j]->Update(gids, n, in);
    }
  }

  Status Finish(Result* out) {
    out->columns.clear();
    out->rows.clear();
    for (const GroupKey& g : q_.groups) out->columns.push_back({g.name, g.type});
    for (const SelectItem& i : q_.items) out->columns.push_back({i.name, i.type});
    std::vector<Value> aggs(aggs_.size());
    for (size_t g = 0; g < keys_.size(); ++g) {
      for (size_t j = 0; j < aggs.size(); ++j) aggs[j] = aggs_[j]->Finalize(g);
      std::vector<Value> items;
      for (const SelectItem& i : q_.items) items.push_back(EvalGroupExpr(*i.expr, keys_[g], aggs, nullptr));
      if (q_.having != nullptr) {
        const Value h = EvalGroupExpr(*q_.having, keys_[g], aggs, &items);
        if (h.type != ValueType::kBool || !h.boolean) continue;
      }
      std::vector<Value> row = std::move(keys_[g]);
      row.insert(row.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
      out->rows.push_back(std::move(row));
    }
    const size_t nkeys = q_.groups.size();
    std::sort(out->rows.begin(), out->rows.end(), [nkeys](const auto& a, const auto& b) {
      for (size_t k = 0; k < nkeys; ++k) {
        const int c = CompareForSort(a[k], b[k]);
        if (c != 0) return c < 0;
      }
      return false;
    });
    KPI_RETURN_IF_ERROR(OrderAndLimit(q_.order, q_.limit, options_.max_result_rows, &out->rows));
    out->warnings = inner_.warnings;
    for (const std::string& w : q_.warnings)
      if (std::find(out->warnings.begin(), out->warnings.end(), w) == out->warnings.end()) out->warnings.push_back(w);
    out->tz = q_.tz_name;
    out->message.clear();
    out->stats = inner_.stats;
    return Status::OK();
  }

  const BoundQuery& q_;
  const Result& inner_;
  const ExecOptions& options_;
  ValuePacker packer_;
  std::vector<std::unique_ptr<AggregateState>> aggs_;
  std::vector<int> key_columns_;                    // per group key: its inner column
  std::vector<std::vector<Value>> keys_;            // per group: its key values
  std::unordered_multimap<uint64_t, uint32_t> by_hash_;
  const std::vector<Value> no_values_;
  std::vector<uint32_t> gids_;
  std::vector<const Value*> ptrs_;
  std::vector<Value> computed_;
  Vec vecs_[2];
};

}  // namespace

Status ExecuteNestedSelect(BoundQuery* query, const Result& inner, const ExecOptions& options, Result* out) {
  NestedRun run(query, inner, options);
  return run.Run(out);
}

}  // namespace kpi::query
