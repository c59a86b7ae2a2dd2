// ratio(a, b) = sum(a) / sum(b), each sum over its own non-null values
// (durations counted in seconds); null when either has no values or sum(b)
// is 0.
#include <vector>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"
#include "query/execution/byte_fields.h"

namespace kpi::query {

namespace {

class RatioState final : public AggregateState {
 public:
  RatioState(double scale_a, double scale_b) : scale_a_(scale_a), scale_b_(scale_b) {}
  void Resize(size_t groups) override {
    a_.resize(groups);
    b_.resize(groups);
    has_a_.resize(groups, 0);
    has_b_.resize(groups, 0);
  }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    Fold(gids, n, *in.args[0], &a_, &has_a_);
    Fold(gids, n, *in.args[1], &b_, &has_b_);
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const RatioState&>(other);
    for (size_t g = 0; g < o.a_.size(); ++g) {
      const uint32_t d = group_map[g];
      a_[d].Merge(o.a_[g]);
      b_[d].Merge(o.b_[g]);
      has_a_[d] |= o.has_a_[g];
      has_b_[d] |= o.has_b_[g];
    }
  }
  Value Finalize(size_t group) const override {
    if (!has_a_[group] || !has_b_[group]) return Value::Null();
    const double den = b_[group].Total() * scale_b_;
    if (den == 0) return Value::Null();
    const double r = a_[group].Total() * scale_a_ / den;
    return std::isfinite(r) ? Value::Number(r) : Value::Null();
  }
  void EncodeGroups(std::string* out) const override { EncodeVectors(out, a_, b_, has_a_, has_b_); }
  bool DecodeGroups(std::string_view bytes, size_t groups) override {
    return DecodeVectors(bytes, &a_, &b_, &has_a_, &has_b_) && a_.size() == groups && b_.size() == groups &&
           has_a_.size() == groups && has_b_.size() == groups;
  }

 private:
  static void Fold(const uint32_t* gids, uint32_t n, const Vec& x, std::vector<CompensatedSum>* sums,
                   std::vector<uint8_t>* has) {
    if (!IsNumericVec(x)) return;
    if (gids == nullptr) {
      CompensatedSum s = (*sums)[0];
      bool any = false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!x.valid[i * x.vstride]) continue;
        s.Add(x.f64[i * x.stride]);
        any = true;
      }
      (*sums)[0] = s;
      if (any) (*has)[0] = 1;
      return;
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (!x.valid[i * x.vstride]) continue;
      (*sums)[gids[i]].Add(x.f64[i * x.stride]);
      (*has)[gids[i]] = 1;
    }
  }

  double scale_a_, scale_b_;
  std::vector<CompensatedSum> a_, b_;
  std::vector<uint8_t> has_a_, has_b_;
};

bool CheckRatio(const std::vector<ValueType>& args, ValueType* out, std::string* error) {
  for (ValueType t : args) {
    if (!IsNumericType(t) && t != ValueType::kNull) {
      *error = std::string("needs numbers, not a ") + ValueTypeName(t);
      return false;
    }
  }
  *out = ValueType::kNumber;
  return true;
}

std::unique_ptr<AggregateState> CreateRatio(const AggregateSpec& spec, const BoundQuery&) {
  return std::make_unique<RatioState>(SecondsPerUnit(spec.arg_types[0]), SecondsPerUnit(spec.arg_types[1]));
}

}  // namespace

const AggregateFamily kRatioFamily = {2, 2, CheckRatio, CreateRatio, false, 2 * sizeof(CompensatedSum) + 2};

}  // namespace kpi::query
