// sum(x) and avg(x) over the non-null values of a number or duration.
// Durations accumulate in milliseconds (exact) and come out in seconds.
#include <vector>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"
#include "query/execution/byte_fields.h"

namespace kpi::query {

namespace {

class SumAvgState final : public AggregateState {
 public:
  SumAvgState(bool average, ValueType out_type) : average_(average), out_type_(out_type) {}
  void Resize(size_t groups) override {
    sums_.resize(groups);
    counts_.resize(groups, 0);
  }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec& x = *in.args[0];
    if (!IsNumericVec(x)) return;  // a null-typed argument has no values
    if (gids == nullptr) {
      CompensatedSum s = sums_[0];
      uint64_t c = 0;
      if (x.vstride == 0 && x.valid[0]) {
        for (uint32_t i = 0; i < n; ++i) s.Add(x.f64[i * x.stride]);
        c = n;
      } else if (x.vstride != 0) {
        for (uint32_t i = 0; i < n; ++i) {
          if (x.valid[i]) {
            s.Add(x.f64[i * x.stride]);
            ++c;
          }
        }
      }
      sums_[0] = s;
      counts_[0] += c;
      return;
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (!x.valid[i * x.vstride]) continue;
      sums_[gids[i]].Add(x.f64[i * x.stride]);
      counts_[gids[i]]++;
    }
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const SumAvgState&>(other);
    for (size_t g = 0; g < o.sums_.size(); ++g) {
      sums_[group_map[g]].Merge(o.sums_[g]);
      counts_[group_map[g]] += o.counts_[g];
    }
  }
  Value Finalize(size_t group) const override {
    if (counts_[group] == 0) return Value::Null();
    double v = sums_[group].Total();
    if (average_) v /= static_cast<double>(counts_[group]);
    return NumericResult(out_type_, v);
  }
  void EncodeGroups(std::string* out) const override { EncodeVectors(out, sums_, counts_); }
  bool DecodeGroups(std::string_view bytes, size_t groups) override {
    return DecodeVectors(bytes, &sums_, &counts_) && sums_.size() == groups && counts_.size() == groups;
  }

 private:
  bool average_;
  ValueType out_type_;
  std::vector<CompensatedSum> sums_;
  std::vector<uint64_t> counts_;
};

bool CheckNumeric(const std::vector<ValueType>& args, ValueType* out, std::string* error) {
  if (!IsNumericType(args[0]) && args[0] != ValueType::kNull) {
    *error = std::string("needs a number or a duration, not a ") + ValueTypeName(args[0]);
    return false;
  }
  *out = args[0] == ValueType::kNull ? ValueType::kNumber : args[0];
  return true;
}

std::unique_ptr<AggregateState> CreateSum(const AggregateSpec& spec, const BoundQuery&) {
  return std::make_unique<SumAvgState>(false, spec.out_type);
}
std::unique_ptr<AggregateState> CreateAvg(const AggregateSpec& spec, const BoundQuery&) {
  return std::make_unique<SumAvgState>(true, spec.out_type);
}

}  // namespace

const AggregateFamily kSumFamily = {1, 1, CheckNumeric, CreateSum, false, sizeof(CompensatedSum) + sizeof(uint64_t)};
const AggregateFamily kAvgFamily = {1, 1, CheckNumeric, CreateAvg, false, sizeof(CompensatedSum) + sizeof(uint64_t)};

}  // namespace kpi::query
