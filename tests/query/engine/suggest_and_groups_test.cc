// Closest-name suggestions, the group hash table and the repeat index.
#include <gtest/gtest.h>

#include "query/execution/group_table.h"
#include "query/execution/repeat_index.h"
#include "query/binder/suggest.h"
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

// Identifiers are case-sensitive, but a name that differs only in case is
// the closest name there is (query-language.md: "the closest known names").
TEST(Suggest, CaseDifferencesAreClose) {
  const std::vector<std::string> names = {"team", "channel", "Channel2", "category"};
  EXPECT_EQ(DidYouMean("CHANNEL", names), " (did you mean 'channel' or 'Channel2'?)");
  EXPECT_EQ(DidYouMean("Team", names), " (did you mean 'team'?)");
  EXPECT_EQ(DidYouMean("COUNT", {"sum", "count"}), " (did you mean 'count'?)");
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
  // Two segments; dims (customer, category). Window 4000 ms.
  RepeatIndex index(2, 4000, {{1, 0}, {2, 0}});
  index.StartSegment(0, 3);
  index.StartSegment(1, 3);
  std::vector<RepeatIndex::Collector> workers(2, RepeatIndex::Collector(2));
  const uint32_t c1[2] = {1, 5}, c2[2] = {2, 5};
  workers[0].Add(c1, 1000, 0, 0);  // first of its group: false
  workers[1].Add(c1, 5000, 1, 0);  // 1000 is exactly 4000 earlier: true
  workers[1].Add(c1, 5000, 1, 1);  // same instant as the one before; 1000 still counts: true
  workers[0].Add(c2, 4000, 0, 1);  // alone: false
  workers[1].Add(c1, 9001, 1, 2);  // 5000 is 4001 earlier: false
  // ticket (0, 2) has a null dimension: never added
  index.Finish(&workers);
  const std::vector<uint8_t>* a = index.Answers(1, 0);
  const std::vector<uint8_t>* b = index.Answers(2, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(*a, (std::vector<uint8_t>{0, 0, 2}));
  EXPECT_EQ(*b, (std::vector<uint8_t>{1, 1, 0}));
  EXPECT_EQ(index.Answers(3, 0), nullptr);
}

TEST(RepeatIndex, SameInstantDoesNotCountAndLargeCodesHash) {
  RepeatIndex index(1, 1000, {{0, 0}});
  index.StartSegment(0, 3);
  std::vector<RepeatIndex::Collector> workers(1, RepeatIndex::Collector(1));
  const uint32_t big[1] = {4000000000u};  // too large for the dense index: hashed
  workers[0].Add(big, 500, 0, 0);
  workers[0].Add(big, 500, 0, 1);
  workers[0].Add(big, 1500, 0, 2);
  index.Finish(&workers);
  EXPECT_EQ(*index.Answers(0, 0), (std::vector<uint8_t>{0, 0, 1}));
}

// Large inputs split the groups over threads: the answers must be the same
// as on one thread, and match a brute-force check per ticket.
TEST(RepeatIndex, ThreadedFinishMatchesSerial) {
  constexpr uint32_t kSegments = 40, kPerSegment = 6000;  // 240k tickets, over the threading threshold
  constexpr int64_t kWindow = 7 * 86400000LL;
  std::vector<std::pair<uint32_t, uint32_t>> ids;
  for (uint32_t s = 0; s < kSegments; ++s) ids.emplace_back(s, 0);
  struct T { uint32_t codes[2]; int64_t time; };
  std::vector<T> tickets(kSegments * kPerSegment);
  uint64_t x = 12345;
  auto next = [&x] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  for (T& t : tickets) t = T{{static_cast<uint32_t>(next() % 3000), static_cast<uint32_t>(next() % 5)},
                             static_cast<int64_t>(next() % (365 * 86400000ULL)) / 3600000 * 3600000};
  std::vector<std::vector<uint8_t>> answers[2];
  for (int threads : {1, 2}) {
    RepeatIndex index(2, kWindow, ids);
    std::vector<RepeatIndex::Collector> workers(2, RepeatIndex::Collector(2));
    for (uint32_t s = 0; s < kSegments; ++s) {
      index.StartSegment(s, kPerSegment);
      for (uint32_t i = 0; i < kPerSegment; ++i) {
        const T& t = tickets[s * kPerSegment + i];
        workers[s % 2].Add(t.codes, t.time, s, i);
      }
    }
    index.Finish(&workers, threads);
    for (uint32_t s = 0; s < kSegments; ++s) answers[threads - 1].push_back(*index.Answers(s, 0));
  }
  EXPECT_EQ(answers[0], answers[1]);
  // Brute force on a sample of tickets.
  for (size_t k = 0; k < tickets.size(); k += 997) {
    const T& t = tickets[k];
    bool repeat = false;
    for (const T& o : tickets)
      repeat = repeat || (o.codes[0] == t.codes[0] && o.codes[1] == t.codes[1] && o.time < t.time &&
                          o.time >= t.time - kWindow);
    EXPECT_EQ(answers[1][k / kPerSegment][k % kPerSegment], repeat ? 1 : 0) << "ticket " << k;
  }
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
