// percentile(x, q) and p50 / p90 / p95 / p99: exact, linear interpolation
// between the closest ranks (percentile_cont): with the n non-null values
// sorted, pos = q * (n - 1) and the result is
// v[floor(pos)] + (v[floor(pos) + 1] - v[floor(pos)]) * frac(pos).
// Null when there are no values. Keeps every value of a group; kept
// partial states (query/execution/kept_states.h) keep them sorted, and
// states combined from them share those runs and select the two ranks
// across them (the same values, so the same result).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"
#include "query/execution/byte_fields.h"

namespace kpi::query {

double InterpolatedPercentile(std::vector<double>* values, double q) {
  std::vector<double>& xs = *values;
  if (xs.empty()) return std::nan("");
  q = std::clamp(q, 0.0, 1.0);
  const double pos = q * static_cast<double>(xs.size() - 1);
  const size_t lo = std::min(static_cast<size_t>(std::floor(pos)), xs.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  std::nth_element(xs.begin(), xs.begin() + lo, xs.end());
  const double a = xs[lo];
  if (frac == 0 || lo + 1 >= xs.size()) return a;
  const double b = *std::min_element(xs.begin() + lo + 1, xs.end());
  return a + (b - a) * frac;
}

namespace {

class PercentileState final : public AggregateState {
 public:
  PercentileState(double q, ValueType out_type) : q_(q), out_type_(out_type) {}
  void Resize(size_t groups) override {
    values_.resize(groups);
    kept_.resize(groups);
  }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec& x = *in.args[0];
    if (!IsNumericVec(x)) return;
    if (gids == nullptr) {
      std::vector<double>& out = values_[0];
      for (uint32_t i = 0; i < n; ++i)
        if (x.valid[i * x.vstride]) out.push_back(x.f64[i * x.stride]);
      return;
    }
    for (uint32_t i = 0; i < n; ++i)
      if (x.valid[i * x.vstride]) values_[gids[i]].push_back(x.f64[i * x.stride]);
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const PercentileState&>(other);
    for (size_t g = 0; g < o.values_.size(); ++g) {
      auto& dst = values_[group_map[g]];
      dst.insert(dst.end(), o.values_[g].begin(), o.values_[g].end());
      auto& runs = kept_[group_map[g]];
      runs.insert(runs.end(), o.kept_[g].begin(), o.kept_[g].end());  // shared, not copied
    }
  }
  // Kept: each group's values sorted into one shared run, which states it
  // is combined into point to.
  void Freeze() override {
    for (size_t g = 0; g < values_.size(); ++g) {
      if (values_[g].empty() && kept_[g].size() <= 1) continue;
      std::vector<double> all = std::move(values_[g]);
      values_[g] = {};
      for (const Run& r : kept_[g]) all.insert(all.end(), r->begin(), r->end());
      std::sort(all.begin(), all.end());
      kept_[g].assign(1, std::make_shared<const std::vector<double>>(std::move(all)));
    }
  }
  size_t HeldBytes() const override {
    size_t bytes = 0;
    for (size_t g = 0; g < values_.size(); ++g) {
      bytes += values_[g].capacity() * sizeof(double) + kept_[g].capacity() * sizeof(Run);
      for (const Run& r : kept_[g]) bytes += r->size() * sizeof(double);
    }
    return bytes;
  }
  // Per group its values' count, then every group's values sorted (one run
  // each, as Freeze leaves them).
  void EncodeGroups(std::string* out) const override {
    std::vector<uint64_t> counts(values_.size());
    std::vector<double> all, group;
    for (size_t g = 0; g < values_.size(); ++g) {
      group.assign(values_[g].begin(), values_[g].end());
      for (const Run& r : kept_[g]) group.insert(group.end(), r->begin(), r->end());
      if (!values_[g].empty() || kept_[g].size() > 1) std::sort(group.begin(), group.end());
      counts[g] = group.size();
      all.insert(all.end(), group.begin(), group.end());
    }
    EncodeVectors(out, counts, all);
  }
  bool DecodeGroups(std::string_view bytes, size_t groups) override {
    std::vector<uint64_t> counts;
    std::vector<double> all;
    if (!DecodeVectors(bytes, &counts, &all) || counts.size() != groups) return false;
    Resize(groups);
    size_t at = 0;
    for (size_t g = 0; g < groups; ++g) {
      if (counts[g] > all.size() - at) return false;
      const auto begin = all.begin() + static_cast<ptrdiff_t>(at), end = begin + static_cast<ptrdiff_t>(counts[g]);
      if (!std::is_sorted(begin, end)) return false;
      values_[g].clear();
      kept_[g].clear();
      if (counts[g] > 0) kept_[g].push_back(std::make_shared<const std::vector<double>>(begin, end));
      at += counts[g];
    }
    return at == all.size();
  }
  Value Finalize(size_t group) const override {
    if (!kept_[group].empty()) return UnionOf(&group, 1);  // across the runs of kept states
    if (group < sorted_.size()) sorted_[group] = 0;  // nth_element reorders
    if (values_[group].empty()) return Value::Null();
    return NumericResult(out_type_, InterpolatedPercentile(&values_[group], q_));
  }
  // A rolling window: each group's values sorted once (a run), the two
  // ranks the interpolation needs selected across the window's runs.
  bool FinalizeUnion(const uint32_t* groups, size_t n, Value* out) const override {
    std::vector<size_t> gs(groups, groups + n);
    *out = UnionOf(gs.data(), n);
    return true;
  }

 private:
  using Run = std::shared_ptr<const std::vector<double>>;
  struct Span {
    const double* v;
    size_t lo, hi;  // the part of the run still holding candidates
  };
  // The percentile of the union of groups[0..n)'s values: the values added
  // to a group sorted once, and the runs it was combined from as they are.
  Value UnionOf(const size_t* groups, size_t n) const {
    if (sorted_.size() < values_.size()) sorted_.resize(values_.size(), 0);
    runs_.clear();
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      std::vector<double>& v = values_[groups[i]];
      if (!v.empty()) {
        if (!sorted_[groups[i]]) {
          std::sort(v.begin(), v.end());
          sorted_[groups[i]] = 1;
        }
        runs_.push_back({v.data(), 0, v.size()});
        total += v.size();
      }
      for (const Run& r : kept_[groups[i]]) {
        if (r->empty()) continue;
        runs_.push_back({r->data(), 0, r->size()});
        total += r->size();
      }
    }
    if (total == 0) return Value::Null();
    const double pos = std::clamp(q_, 0.0, 1.0) * static_cast<double>(total - 1);
    const size_t lo = std::min(static_cast<size_t>(std::floor(pos)), total - 1);
    const double frac = pos - static_cast<double>(lo);
    const bool both = frac != 0 && lo + 1 < total;
    double b = 0;
    const double a = RankOfRuns(lo, both ? &b : nullptr);
    const double v = both ? a + (b - a) * frac : a;
    return NumericResult(out_type_, v);
  }

  // The value of rank `rank` (0-based) of the union of runs_, and with
  // `next` that of rank + 1: pivot on a value of the longest remaining
  // range, count what lies below and at it in every run, keep the side
  // holding the rank; runs left with nothing drop out. On odd rounds the
  // pivot is the range's middle, so it halves: O(runs * log(values))
  // rounds at most, each over the runs still holding candidates.
  double RankOfRuns(size_t rank, double* next) const {
    std::vector<Span> runs = runs_;
    size_t below = 0;  // values discarded as smaller than the answer
    auto drop_empty = [&runs] {
      runs.erase(std::remove_if(runs.begin(), runs.end(), [](const Span& r) { return r.lo == r.hi; }), runs.end());
    };
    for (size_t round = 0;; ++round) {
      size_t best = 0, width = 0, left = 0;
      for (size_t i = 0; i < runs.size(); ++i) {
        left += runs[i].hi - runs[i].lo;
        if (runs[i].hi - runs[i].lo > width) width = runs[i].hi - runs[i].lo, best = i;
      }
      // Even rounds guess: the rank's share of what is left, at that share
      // of the longest range (runs of similar values converge in a few
      // rounds); odd rounds halve it, so no input takes more than twice the
      // halving rounds. Any pivot among the candidates is exact.
      const size_t at = round % 2 == 0 ? std::min(width - 1, static_cast<size_t>(static_cast<double>(width) *
                                                                                  (static_cast<double>(rank - below) + 0.5) /
                                                                                  static_cast<double>(left)))
                                       : width / 2;
      const double pivot = runs[best].v[runs[best].lo + at];
      // Each run's values below the pivot and at it (one search; a second
      // over the run's rest only when it holds the pivot), kept for the cut.
      size_t less = 0, at_most = 0;
      cuts_.resize(runs.size());
      for (size_t i = 0; i < runs.size(); ++i) {
        const Span& r = runs[i];
        const double* end = r.v + r.hi;
        const double* lb = std::lower_bound(r.v + r.lo, end, pivot);
        const double* ub = lb != end && *lb == pivot ? std::upper_bound(lb, end, pivot) : lb;
        cuts_[i] = {static_cast<size_t>(lb - r.v), static_cast<size_t>(ub - r.v)};
        less += cuts_[i].first - r.lo;
        at_most += cuts_[i].second - r.lo;
      }
      if (rank < below + less) {
        for (size_t i = 0; i < runs.size(); ++i) runs[i].hi = cuts_[i].first;
        drop_empty();
      } else if (rank < below + at_most) {
        if (next != nullptr) {
          // Rank + 1: the pivot again, or the least value above it in any
          // run (values above were dropped from the ranges, not the runs).
          if (rank + 1 < below + at_most) {
            *next = pivot;
          } else {
            bool found = false;
            for (const Span& r : runs_) {
              const double* above = std::upper_bound(r.v + r.lo, r.v + r.hi, pivot);
              if (above != r.v + r.hi && (!found || *above < *next)) *next = *above, found = true;
            }
          }
        }
        return pivot;
      } else {
        below += at_most;
        for (size_t i = 0; i < runs.size(); ++i) runs[i].lo = cuts_[i].second;
        drop_empty();
      }
    }
  }

  double q_;
  ValueType out_type_;
  mutable std::vector<std::vector<double>> values_;  // Finalize reorders a group's values
  std::vector<std::vector<Run>> kept_;                // per group: sorted runs of kept states, shared
  mutable std::vector<uint8_t> sorted_;               // the group's values_ are sorted
  mutable std::vector<Span> runs_;
  mutable std::vector<std::pair<size_t, size_t>> cuts_;  // RankOfRuns: per run, below / at most the pivot
};

bool CheckPercentile(const std::vector<ValueType>& args, ValueType* out, std::string* error) {
  if (!IsNumericType(args[0]) && args[0] != ValueType::kNull) {
    *error = std::string("needs a number or a duration, not a ") + ValueTypeName(args[0]);
    return false;
  }
  *out = args[0] == ValueType::kNull ? ValueType::kNumber : args[0];
  return true;
}

std::unique_ptr<AggregateState> CreatePercentile(const AggregateSpec& spec, const BoundQuery&) {
  return std::make_unique<PercentileState>(spec.param, spec.out_type);
}

}  // namespace

// Kept per segment as each group's values sorted (HeldBytes), combined by
// sharing those runs: a repeat selects the ranks across them.
const AggregateFamily kPercentileFamily = {1, 1, CheckPercentile, CreatePercentile, true,
                                           2 * sizeof(std::vector<double>), /*kept_values=*/true};

}  // namespace kpi::query
