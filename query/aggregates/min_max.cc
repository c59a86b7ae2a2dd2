// min(x) / max(x) over the non-null values of a number, duration, time or
// string (strings by bytes). The result has the argument's type.
#include <string>
#include <vector>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"
#include "storage/segment.h"

namespace kpi::query {

namespace {

class MinMaxState final : public AggregateState {
 public:
  MinMaxState(bool is_max, ValueType out_type, const BoundQuery& q) : is_max_(is_max), out_type_(out_type), q_(q) {}

  void Resize(size_t groups) override {
    has_.resize(groups, 0);
    if (out_type_ == ValueType::kTime) times_.resize(groups, 0);
    else if (out_type_ == ValueType::kString) texts_.resize(groups);
    else nums_.resize(groups, 0);
  }

  void Update(const uint32_t* gids, uint32_t n, const AggregateInput& in) override {
    const Vec& x = *in.args[0];
    if (x.type == ValueType::kTime) {
      for (uint32_t i = 0; i < n; ++i) {
        if (!x.valid[i * x.vstride]) continue;
        const uint32_t g = gids ? gids[i] : 0;
        const int64_t v = x.i64[i * x.stride];
        if (!has_[g] || (is_max_ ? v > times_[g] : v < times_[g])) times_[g] = v;
        has_[g] = 1;
      }
    } else if (IsNumericVec(x)) {
      for (uint32_t i = 0; i < n; ++i) {
        if (!x.valid[i * x.vstride]) continue;
        const uint32_t g = gids ? gids[i] : 0;
        const double v = x.f64[i * x.stride];
        if (!has_[g] || (is_max_ ? v > nums_[g] : v < nums_[g])) nums_[g] = v;
        has_[g] = 1;
      }
    } else if (x.type == ValueType::kString) {
      for (uint32_t i = 0; i < n; ++i) {
        if (x.IsNull(i)) continue;
        const std::string* s = TextOf(x, i, in);
        if (s == nullptr) continue;
        Offer(gids ? gids[i] : 0, *s);
      }
    }
  }

  void Combine(const AggregateState& other, const uint32_t* group_map) override {
    const auto& o = static_cast<const MinMaxState&>(other);
    for (size_t g = 0; g < o.has_.size(); ++g) {
      if (!o.has_[g]) continue;
      const uint32_t d = group_map[g];
      if (out_type_ == ValueType::kTime) {
        if (!has_[d] || (is_max_ ? o.times_[g] > times_[d] : o.times_[g] < times_[d])) times_[d] = o.times_[g];
        has_[d] = 1;
      } else if (out_type_ == ValueType::kString) {
        Offer(d, o.texts_[g]);
      } else {
        if (!has_[d] || (is_max_ ? o.nums_[g] > nums_[d] : o.nums_[g] < nums_[d])) nums_[d] = o.nums_[g];
        has_[d] = 1;
      }
    }
  }

  Value Finalize(size_t group) const override {
    if (!has_[group]) return Value::Null();
    if (out_type_ == ValueType::kTime) return Value::Time(times_[group]);
    if (out_type_ == ValueType::kString) return Value::String(texts_[group]);
    return NumericResult(out_type_, nums_[group]);
  }

 private:
  const std::string* TextOf(const Vec& x, uint32_t i, const AggregateInput& in) const {
    const uint32_t id = x.u32 ? x.u32[i * x.stride] : 0;
    switch (x.str.kind) {
      case StrKind::kDict:
        return DictText(q_, x.str.column, id);
      case StrKind::kTicket:
        if (in.segment == nullptr || id >= in.segment->ticket_ids.size()) return nullptr;
        return &in.segment->ticket_ids[id];
      case StrKind::kLiteral:
        return x.text;
      case StrKind::kNone:
        return nullptr;
    }
    return nullptr;
  }
  void Offer(uint32_t g, const std::string& s) {
    if (!has_[g] || (is_max_ ? s > texts_[g] : s < texts_[g])) texts_[g] = s;
    has_[g] = 1;
  }

  bool is_max_;
  ValueType out_type_;
  const BoundQuery& q_;
  std::vector<uint8_t> has_;
  std::vector<double> nums_;
  std::vector<int64_t> times_;
  std::vector<std::string> texts_;
};

bool CheckMinMax(const std::vector<ValueType>& args, ValueType* out, std::string* error) {
  if (args[0] == ValueType::kBool) {
    *error = "is not defined for a predicate";
    return false;
  }
  *out = args[0] == ValueType::kNull ? ValueType::kNumber : args[0];
  return true;
}

std::unique_ptr<AggregateState> CreateMin(const AggregateSpec& spec, const BoundQuery& q) {
  return std::make_unique<MinMaxState>(false, spec.out_type, q);
}
std::unique_ptr<AggregateState> CreateMax(const AggregateSpec& spec, const BoundQuery& q) {
  return std::make_unique<MinMaxState>(true, spec.out_type, q);
}

}  // namespace

const AggregateFamily kMinFamily = {1, 1, CheckMinMax, CreateMin, false};
const AggregateFamily kMaxFamily = {1, 1, CheckMinMax, CreateMax, false};

}  // namespace kpi::query
