// distinct(x): the number of distinct non-null values of x (values compared
// through their key parts, query/execution/key_parts.h).
#include <vector>

#include "query/aggregates/aggregate.h"
#include "query/execution/hash_mix.h"
#include "query/execution/key_parts.h"

namespace kpi::query {

namespace {

// Open-addressing set of 64-bit parts (kNullPart is never stored, so it marks
// empty slots).
class PartSet {
 public:
  void Insert(uint64_t x) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = MixBits(x) & (slots_.size() - 1);
    while (slots_[i] != kNullPart) {
      if (slots_[i] == x) return;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = x;
    ++size_;
  }
  void InsertAll(const PartSet& o) {
    for (uint64_t x : o.slots_)
      if (x != kNullPart) Insert(x);
  }
  size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, kNullPart);
    size_ = 0;
    for (uint64_t x : old)
      if (x != kNullPart) Insert(x);
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

class DistinctState final : public AggregateState {
 public:
  void Resize(size_t groups) override { sets_.resize(groups); }
  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec& x = *in.args[0];
    parts_.resize(n);
    KeyParts(x, in.segment_ordinal, parts_.data());
    for (uint32_t i = 0; i < n; ++i)
      if (parts_[i] != kNullPart) sets_[gids ? gids[i] : 0].Insert(parts_[i]);
  }
  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const DistinctState&>(other);
    for (size_t g = 0; g < o.sets_.size(); ++g) sets_[group_map[g]].InsertAll(o.sets_[g]);
  }
  Value Finalize(size_t group) const override { return Value::Number(static_cast<double>(sets_[group].size())); }

 private:
  std::vector<PartSet> sets_;
  std::vector<uint64_t> parts_;
};

bool CheckDistinct(const std::vector<ValueType>&, ValueType* out, std::string*) {
  *out = ValueType::kNumber;
  return true;
}

std::unique_ptr<AggregateState> CreateDistinct(const AggregateSpec&, const BoundQuery&) {
  return std::make_unique<DistinctState>();
}

}  // namespace

const AggregateFamily kDistinctFamily = {1, 1, CheckDistinct, CreateDistinct, false};

}  // namespace kpi::query
