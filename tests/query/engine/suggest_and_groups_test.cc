// Closest-name suggestions, the group hash table and the repeat index.
#include <gtest/gtest.h>

#include "query/group_table.h"
#include "query/repeat_index.h"
#include "query/suggest.h"
#include "query/value_ops.h"

namespace kpi::query {
namespace {

TEST(Suggest, ClosestNamesFirst) {
  EXPECT_EQ(EditDistance("chanel", "channel"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  const std::vector<std::string> names = {"team", "channel", "category", "customer", "created"};
  const auto s = Suggest("chanel", names);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "channel");
  EXPECT_TRUE(Suggest("zzzzzzzz", names).empty());
  EXPECT_EQ(DidYouMean("cnt", {"count", "sum", "avg"}), " (did you mean 'count'?)");
  EXPECT_EQ(DidYouMean("xyzzy", {"count"}), "");
}

TEST(GroupTable, DenseIdsInInsertionOrder) {
  GroupTable t(2);
  bool inserted;
  std::vector<uint64_t> keys;
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t k[2] = {i % 37, i / 37};
    EXPECT_EQ(t.FindOrInsert(k, &inserted), i);
    EXPECT_TRUE(inserted);
  }
  for (uint64_t i = 0; i < 1000; ++i) {
    const uint64_t k[2] = {i % 37, i / 37};
    EXPECT_EQ(t.FindOrInsert(k, &inserted), i);
    EXPECT_FALSE(inserted);
    EXPECT_EQ(t.Find(k), static_cast<int64_t>(i));
  }
  const uint64_t missing[2] = {99, 99};
  EXPECT_EQ(t.Find(missing), -1);
  EXPECT_EQ(t.size(), 1000u);
  EXPECT_EQ(t.Key(38)[0], 1u);
  EXPECT_EQ(t.Key(38)[1], 1u);

  GroupTable none(0);  // no `by`: one group
  EXPECT_EQ(none.FindOrInsert(nullptr, &inserted), 0u);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(none.FindOrInsert(nullptr, &inserted), 0u);
  EXPECT_FALSE(inserted);
}

TEST(RepeatIndex, HalfOpenWindowBeforeCreation) {
  RepeatIndex a(2), b(2);
  const uint32_t c1[2] = {1, 5}, c2[2] = {2, 5};
  a.Add(c1, 1000);
  b.Add(c1, 5000);
  b.Add(c2, 4000);
  a.Merge(b);
  a.Finish();
  EXPECT_TRUE(a.HasWithin(c1, 5000, 4000));   // 1000 is exactly the window earlier: counts
  EXPECT_FALSE(a.HasWithin(c1, 5000, 3999));  // 1 ms too far
  EXPECT_FALSE(a.HasWithin(c1, 1000, 100000));  // the same instant does not count
  EXPECT_FALSE(a.HasWithin(c2, 4000, 100000));
  const uint32_t unknown[2] = {9, 9};
  EXPECT_FALSE(a.HasWithin(unknown, 4000, 100000));
}

TEST(ValueOps, ThreeValuedLogicAndNullPropagation) {
  const Value t = Value::Bool(true), f = Value::Bool(false), n = Value::Null();
  EXPECT_EQ(ApplyBinary(Op::kAnd, f, n), f);
  EXPECT_TRUE(ApplyBinary(Op::kAnd, t, n).is_null());
  EXPECT_EQ(ApplyBinary(Op::kOr, t, n), t);
  EXPECT_TRUE(ApplyBinary(Op::kOr, f, n).is_null());
  EXPECT_TRUE(ApplyUnary(Op::kNot, n).is_null());
  EXPECT_TRUE(ApplyBinary(Op::kAdd, Value::Number(1), n).is_null());
  EXPECT_TRUE(ApplyBinary(Op::kDiv, Value::Number(1), Value::Number(0)).is_null());
  EXPECT_EQ(ApplyBinary(Op::kLe, Value::Duration(900), Value::Number(900)), t);
  EXPECT_EQ(ApplyBinary(Op::kDiv, Value::Duration(10800), Value::Number(3600)), Value::Duration(3));
  EXPECT_EQ(ApplyBinary(Op::kSub, Value::Time(5000), Value::Time(2000)), Value::Duration(3));
  EXPECT_EQ(ApplyBinary(Op::kAdd, Value::Time(5000), Value::Duration(1.5)), Value::Time(6500));
  EXPECT_TRUE(ApplyIn(Value::String("x"), {Value::String("a"), n}, false).is_null());
  EXPECT_EQ(ApplyIn(Value::String("a"), {Value::String("a"), n}, true), f);
  EXPECT_LT(CompareForSort(Value::String("a"), n), 0);
  ValueType out;
  EXPECT_FALSE(ArithmeticType(Op::kAdd, ValueType::kString, ValueType::kNumber, &out));
  EXPECT_TRUE(ArithmeticType(Op::kMul, ValueType::kDuration, ValueType::kDuration, &out));
  EXPECT_EQ(out, ValueType::kNumber);
  EXPECT_FALSE(ComparableTypes(ValueType::kString, ValueType::kNumber));
}

}  // namespace
}  // namespace kpi::query
