// rate(pred): rows where pred is true / rows where pred is not null; null
// when pred is null on every row (or there are no rows).
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/byte_fields.h"

namespace kpi::query {

namespace {

class RateState final : public AggregateState {
 public:
  void Resize(size_t groups) override {
    yes_.resize(groups, 0);
    known_.resize(groups, 0);
  }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec& p = *in.args[0];
    if (p.type != ValueType::kBool) return;
    if (gids == nullptr) {
      uint64_t yes = 0, known = 0;
      for (uint32_t i = 0; i < n; ++i) {
        const uint8_t b = p.b8[i * p.stride];
        yes += b == kTrue;
        known += b != kNullBool;
      }
      yes_[0] += yes;
      known_[0] += known;
      return;
    }
    if (yes_.size() * 4 <= n) {
      // Few groups for the rows: one counter per (group, value), one
      // increment per row, folded per group after.
      counts_.assign(yes_.size() * 4, 0);
      for (uint32_t i = 0; i < n; ++i) ++counts_[size_t{gids[i]} * 4 + (p.b8[i * p.stride] & 3)];
      for (size_t g = 0; g < yes_.size(); ++g) {
        yes_[g] += counts_[g * 4 + kTrue];
        known_[g] += counts_[g * 4 + kFalse] + counts_[g * 4 + kTrue];
      }
      return;
    }
    for (uint32_t i = 0; i < n; ++i) {
      const uint8_t b = p.b8[i * p.stride];
      yes_[gids[i]] += b == kTrue;
      known_[gids[i]] += b != kNullBool;
    }
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const RateState&>(other);
    for (size_t g = 0; g < o.yes_.size(); ++g) {
      yes_[group_map[g]] += o.yes_[g];
      known_[group_map[g]] += o.known_[g];
    }
  }
  Value Finalize(size_t group) const override {
    if (known_[group] == 0) return Value::Null();
    return Value::Number(static_cast<double>(yes_[group]) / static_cast<double>(known_[group]));
  }
  void EncodeGroups(std::string* out) const override { EncodeVectors(out, yes_, known_); }
  bool DecodeGroups(std::string_view bytes, size_t groups) override {
    return DecodeVectors(bytes, &yes_, &known_) && yes_.size() == groups && known_.size() == groups;
  }

 private:
  std::vector<uint64_t> yes_, known_;
  std::vector<uint32_t> counts_;  // Update's scratch: per group, rows false / true / null / unused
};

bool CheckRate(const std::vector<ValueType>& args, ValueType* out, std::string* error) {
  if (args[0] != ValueType::kBool && args[0] != ValueType::kNull) {
    *error = std::string("needs a predicate, not a ") + ValueTypeName(args[0]);
    return false;
  }
  *out = ValueType::kNumber;
  return true;
}

std::unique_ptr<AggregateState> CreateRate(const AggregateSpec&, const BoundQuery&) {
  return std::make_unique<RateState>();
}

}  // namespace

const AggregateFamily kRateFamily = {1, 1, CheckRate, CreateRate, false, 2 * sizeof(uint64_t)};

}  // namespace kpi::query
