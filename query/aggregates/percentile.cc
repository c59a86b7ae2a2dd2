// percentile(x, q) and p50 / p90 / p95 / p99: exact, linear interpolation
// between the closest ranks (percentile_cont): with the n non-null values
// sorted, pos = q * (n - 1) and the result is
// v[floor(pos)] + (v[floor(pos) + 1] - v[floor(pos)]) * frac(pos).
// Null when there are no values. Keeps every value of a group.
#include <algorithm>
#include <cmath>
#include <vector>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"

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
  void Resize(size_t groups) override { values_.resize(groups); }
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
    }
  }
  Value Finalize(size_t group) const override {
    if (values_[group].empty()) return Value::Null();
    return NumericResult(out_type_, InterpolatedPercentile(&values_[group], q_));
  }

 private:
  double q_;
  ValueType out_type_;
  mutable std::vector<std::vector<double>> values_;  // Finalize reorders a group's values
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

const AggregateFamily kPercentileFamily = {1, 1, CheckPercentile, CreatePercentile, true};

}  // namespace kpi::query
