// count() counts rows; count(x) counts rows where x is not null.
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/byte_fields.h"

namespace kpi::query {

namespace {

class CountState final : public AggregateState {
 public:
  explicit CountState(bool counts_rows) : counts_rows_(counts_rows) {}
  void Resize(size_t groups) override { counts_.resize(groups, 0); }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec* x = in.args[0];
    if (counts_rows_ || x == nullptr) {
      if (gids == nullptr) {
        counts_[0] += n;
      } else {
        for (uint32_t i = 0; i < n; ++i) counts_[gids[i]]++;
      }
      return;
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (!x->IsNull(i)) counts_[gids ? gids[i] : 0]++;
    }
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const CountState&>(other);
    for (size_t g = 0; g < o.counts_.size(); ++g) counts_[group_map[g]] += o.counts_[g];
  }
  Value Finalize(size_t group) const override { return Value::Number(static_cast<double>(counts_[group])); }
  void EncodeGroups(std::string* out) const override { EncodeVectors(out, counts_); }
  bool DecodeGroups(std::string_view bytes, size_t groups) override {
    return DecodeVectors(bytes, &counts_) && counts_.size() == groups;
  }

 private:
  bool counts_rows_;
  std::vector<uint64_t> counts_;
};

bool CheckCount(const std::vector<ValueType>&, ValueType* out, std::string*) {
  *out = ValueType::kNumber;
  return true;
}

std::unique_ptr<AggregateState> CreateCount(const AggregateSpec& spec, const BoundQuery&) {
  return std::make_unique<CountState>(spec.args.empty());
}

}  // namespace

const AggregateFamily kCountFamily = {0, 1, CheckCount, CreateCount, false, sizeof(uint64_t)};

}  // namespace kpi::query
