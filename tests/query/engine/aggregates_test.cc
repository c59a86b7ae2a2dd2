// Aggregate families: percentile interpolation, and for every family that
// combining partial states (any split, any order) equals one sequential pass.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "query/aggregates/agg_util.h"
#include "query/aggregates/aggregate.h"
#include "query/execution/vector.h"

namespace kpi::query {
namespace {

TEST(Percentile, LinearInterpolationBetweenClosestRanks) {
  const std::vector<double> base = {40, 10, 30, 20};
  auto p = [&](double q) {
    std::vector<double> v = base;
    return InterpolatedPercentile(&v, q);
  };
  EXPECT_DOUBLE_EQ(p(0.5), 25);
  EXPECT_DOUBLE_EQ(p(0.9), 37);
  EXPECT_DOUBLE_EQ(p(0.95), 38.5);
  EXPECT_NEAR(p(0.99), 39.7, 1e-12);
  EXPECT_DOUBLE_EQ(p(0.25), 17.5);
  EXPECT_DOUBLE_EQ(p(0), 10);
  EXPECT_DOUBLE_EQ(p(1), 40);
  std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(InterpolatedPercentile(&one, 0.9), 7);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(InterpolatedPercentile(&none, 0.5)));
  std::vector<double> ties = {5, 5, 5, 1};
  EXPECT_DOUBLE_EQ(InterpolatedPercentile(&ties, 0.5), 5);
}

TEST(CompensatedSum, IntegralSumsAreExactInAnyOrder) {
  CompensatedSum a, b, c;
  for (int i = 0; i < 1000; ++i) {
    a.Add(1e15 + i);
    (i % 2 ? b : c).Add(1e15 + i);
  }
  b.Merge(c);
  EXPECT_EQ(a.Total(), b.Total());
  EXPECT_EQ(a.Total(), 1e18 + 499500);
  CompensatedSum tiny;
  tiny.Add(1e16);
  tiny.Add(1.0);
  tiny.Add(-1e16);
  EXPECT_EQ(tiny.Total(), 1.0);  // a naive double sum gives 0
}

// Rows of one argument column with nulls, as a Vec over owned buffers.
struct Column {
  ValueType type;
  std::vector<double> f64;
  std::vector<int64_t> i64;
  std::vector<uint8_t> b8, valid;

  Vec View(size_t from, size_t to) const {
    Vec v;
    v.type = type;
    v.n = static_cast<uint32_t>(to - from);
    v.stride = 1;
    v.vstride = 1;
    v.valid = valid.data() + from;
    if (type == ValueType::kBool) v.b8 = b8.data() + from;
    else if (type == ValueType::kTime) v.i64 = i64.data() + from;
    else v.f64 = f64.data() + from;
    return v;
  }
};

Column RandomColumn(ValueType type, size_t n, std::mt19937_64* rng) {
  Column c{type, {}, {}, {}, {}};
  for (size_t i = 0; i < n; ++i) {
    const bool valid = (*rng)() % 5 != 0;
    c.valid.push_back(valid);
    c.f64.push_back(static_cast<double>((*rng)() % 100000) / ((*rng)() % 2 ? 1.0 : 8.0));
    c.i64.push_back(1700000000000LL + static_cast<int64_t>((*rng)() % 1000000));
    c.b8.push_back(valid ? static_cast<uint8_t>((*rng)() % 2) : kNullBool);
  }
  return c;
}

bool SameValue(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  if (a.type == ValueType::kNumber || a.type == ValueType::kDuration)
    return a.number == b.number || std::fabs(a.number - b.number) <= 1e-9 * std::fabs(a.number);
  return a == b;
}

struct Case {
  const char* name;
  ValueType arg;
  double param;
};

TEST(Aggregates, CombineEqualsSequential) {
  const Case cases[] = {
      {"count", ValueType::kNumber, -1}, {"sum", ValueType::kNumber, -1},     {"sum", ValueType::kDuration, -1},
      {"avg", ValueType::kNumber, -1},   {"avg", ValueType::kDuration, -1},   {"min", ValueType::kNumber, -1},
      {"max", ValueType::kTime, -1},     {"min", ValueType::kDuration, -1},   {"p90", ValueType::kNumber, 0.9},
      {"percentile", ValueType::kDuration, 0.37}, {"rate", ValueType::kBool, -1}, {"ratio", ValueType::kNumber, -1},
      {"distinct", ValueType::kNumber, -1}, {"distinct", ValueType::kTime, -1},
  };
  std::mt19937_64 rng(7);
  const size_t n = 5000, groups = 13;
  BoundQuery q;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " of " + ValueTypeName(c.arg));
    const AggregateEntry* entry = FindAggregate(c.name);
    ASSERT_NE(entry, nullptr);
    AggregateSpec spec;
    spec.family = entry->family;
    spec.name = c.name;
    spec.param = c.param;
    const size_t nargs = spec.name == "ratio" ? 2 : 1;
    spec.arg_types.assign(nargs, c.arg);
    std::string why;
    ASSERT_TRUE(spec.family->check(spec.arg_types, &spec.out_type, &why)) << why;
    const Column a = RandomColumn(c.arg, n, &rng), b = RandomColumn(c.arg, n, &rng);
    std::vector<uint32_t> gids(n);
    for (auto& g : gids) g = static_cast<uint32_t>(rng() % groups);

    auto whole = spec.family->create(spec, q);
    whole->Resize(groups);
    {
      const Vec va = a.View(0, n), vb = b.View(0, n);
      AggregateInput in;
      in.args[0] = &va;
      in.args[1] = nargs == 2 ? &vb : nullptr;
      whole->Update(gids.data(), static_cast<uint32_t>(n), in);
    }
    // Three workers over uneven batches, groups numbered differently in each.
    const size_t cuts[] = {0, 1234, 1235, 4000, n};
    std::vector<std::unique_ptr<AggregateState>> parts;
    std::vector<std::vector<uint32_t>> maps;
    for (size_t w = 0; w + 1 < std::size(cuts); ++w) {
      auto st = spec.family->create(spec, q);
      st->Resize(groups);
      std::vector<uint32_t> local(gids.begin() + cuts[w], gids.begin() + cuts[w + 1]);
      for (auto& g : local) g = static_cast<uint32_t>(groups - 1 - g);  // this worker's numbering
      const Vec va = a.View(cuts[w], cuts[w + 1]), vb = b.View(cuts[w], cuts[w + 1]);
      AggregateInput in;
      in.args[0] = &va;
      in.args[1] = nargs == 2 ? &vb : nullptr;
      st->Update(local.data(), static_cast<uint32_t>(local.size()), in);
      std::vector<uint32_t> map(groups);
      for (uint32_t g = 0; g < groups; ++g) map[g] = static_cast<uint32_t>(groups - 1 - g);
      // Kept states (kept_states.h) are frozen before they are combined:
      // the first and last part here, the middle one not.
      if (spec.family->kept_group_bytes != 0 && w != 1) st->Freeze();
      parts.push_back(std::move(st));
      maps.push_back(std::move(map));
    }
    auto merged = spec.family->create(spec, q);
    merged->Resize(groups);
    for (size_t w = parts.size(); w-- > 0;) merged->Combine(*parts[w], maps[w].data());
    // A state combined from kept states, frozen and combined again.
    auto again = spec.family->create(spec, q);
    again->Resize(groups);
    if (spec.family->kept_group_bytes != 0) {
      auto frozen = spec.family->create(spec, q);
      frozen->Resize(groups);
      for (size_t w = 0; w < parts.size(); ++w) frozen->Combine(*parts[w], maps[w].data());
      frozen->Freeze();
      std::vector<uint32_t> same(groups);
      for (uint32_t g = 0; g < groups; ++g) same[g] = g;
      again->Combine(*frozen, same.data());
    }
    for (uint32_t g = 0; g < groups; ++g) {
      const Value x = whole->Finalize(g), y = merged->Finalize(g);
      EXPECT_TRUE(SameValue(x, y)) << "group " << g << ": " << x.number << " vs " << y.number;
      if (spec.family->kept_group_bytes == 0) continue;
      const Value z = again->Finalize(g);
      EXPECT_TRUE(SameValue(x, z)) << "frozen, group " << g << ": " << x.number << " vs " << z.number;
      const uint32_t window[] = {g, (g + 1) % static_cast<uint32_t>(groups)};
      Value u1, u2;
      if (merged->FinalizeUnion(window, 2, &u1) && again->FinalizeUnion(window, 2, &u2))
        EXPECT_TRUE(SameValue(u1, u2)) << "a union, group " << g << ": " << u1.number << " vs " << u2.number;
    }
  }
}

// Percentiles combined from many kept (frozen) states select their ranks
// across the states' sorted runs: exactly the value of one pass over the
// same values, with ties, runs of one value and empty runs, at any
// fraction.
TEST(Aggregates, PercentilesAcrossManyKeptRunsAreExact) {
  BoundQuery q;
  std::mt19937_64 rng(11);
  for (const double fraction : {0.0, 0.1, 0.37, 0.5, 0.9, 0.99, 1.0}) {
    for (const int distinct : {3, 50, 1000000}) {
      SCOPED_TRACE(std::to_string(fraction) + " of values among " + std::to_string(distinct));
      AggregateSpec spec;
      spec.family = FindAggregate("percentile")->family;
      spec.name = "percentile";
      spec.param = fraction;
      spec.arg_types = {ValueType::kNumber};
      std::string why;
      ASSERT_TRUE(spec.family->check(spec.arg_types, &spec.out_type, &why)) << why;
      auto whole = spec.family->create(spec, q), combined = spec.family->create(spec, q);
      whole->Resize(1);
      combined->Resize(1);
      const uint32_t one_group = 0;
      for (int part = 0; part < 300; ++part) {
        const size_t n = rng() % 4 == 0 ? rng() % 2 : rng() % 200;
        std::vector<double> xs(n);
        for (double& x : xs) x = static_cast<double>(rng() % distinct) / 4;
        const std::vector<uint8_t> valid(n, 1);
        Vec v;
        v.type = ValueType::kNumber;
        v.n = static_cast<uint32_t>(n);
        v.f64 = xs.data();
        v.valid = valid.data();
        AggregateInput in;
        in.args[0] = &v;
        auto kept = spec.family->create(spec, q);
        kept->Resize(1);
        kept->Update(nullptr, static_cast<uint32_t>(n), in);
        kept->Freeze();
        whole->Update(nullptr, static_cast<uint32_t>(n), in);
        combined->Combine(*kept, &one_group);
      }
      const Value want = whole->Finalize(0), got = combined->Finalize(0);
      EXPECT_EQ(got.type, want.type);
      EXPECT_EQ(got.number, want.number);
    }
  }
}

TEST(Aggregates, EmptyGroupsGiveNullExceptCounts) {
  BoundQuery q;
  for (const char* name : {"count", "sum", "avg", "min", "max", "p50", "rate", "ratio", "distinct"}) {
    const AggregateEntry* entry = FindAggregate(name);
    ASSERT_NE(entry, nullptr) << name;
    AggregateSpec spec;
    spec.family = entry->family;
    spec.name = name;
    spec.param = entry->fixed_param;
    spec.arg_types.assign(std::string(name) == "ratio" ? 2 : 1,
                          std::string(name) == "rate" ? ValueType::kBool : ValueType::kNumber);
    std::string why;
    ASSERT_TRUE(spec.family->check(spec.arg_types, &spec.out_type, &why));
    auto st = spec.family->create(spec, q);
    st->Resize(1);
    const Value v = st->Finalize(0);
    if (std::string(name) == "count" || std::string(name) == "distinct") {
      EXPECT_EQ(v, Value::Number(0)) << name;
    } else {
      EXPECT_TRUE(v.is_null()) << name;
    }
  }
}

TEST(Aggregates, DurationsAreSummedInMillisecondsAndShownInSeconds) {
  BoundQuery q;
  AggregateSpec spec;
  spec.family = FindAggregate("sum")->family;
  spec.arg_types = {ValueType::kDuration};
  std::string why;
  ASSERT_TRUE(spec.family->check(spec.arg_types, &spec.out_type, &why));
  EXPECT_EQ(spec.out_type, ValueType::kDuration);
  auto st = spec.family->create(spec, q);
  st->Resize(1);
  const std::vector<double> ms = {100, 200, 300};  // 0.1 + 0.2 + 0.3 seconds
  const std::vector<uint8_t> valid = {1, 1, 1};
  Vec v;
  v.type = ValueType::kDuration;
  v.n = 3;
  v.f64 = ms.data();
  v.valid = valid.data();
  v.vstride = 1;
  AggregateInput in;
  in.args[0] = &v;
  st->Update(nullptr, 3, in);
  EXPECT_EQ(st->Finalize(0), Value::Duration(0.6));
}

TEST(Aggregates, TypeChecksRefuseWrongArguments) {
  ValueType out;
  std::string why;
  EXPECT_FALSE(FindAggregate("avg")->family->check({ValueType::kString}, &out, &why));
  EXPECT_FALSE(FindAggregate("rate")->family->check({ValueType::kNumber}, &out, &why));
  EXPECT_FALSE(FindAggregate("min")->family->check({ValueType::kBool}, &out, &why));
  EXPECT_TRUE(FindAggregate("max")->family->check({ValueType::kTime}, &out, &why));
  EXPECT_EQ(out, ValueType::kTime);
  EXPECT_EQ(FindAggregate("nope"), nullptr);
}

}  // namespace
}  // namespace kpi::query
