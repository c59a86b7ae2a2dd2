// StringInterner: dense interning of ticket ids, checked against std::map on
// random ids (many colliding prefixes, growth through several rehashes).
#include "storage/string_interner.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace kpi::storage {
namespace {

TEST(StringInterner, InternsInOrderOfFirstAppearance) {
  StringInterner t;
  EXPECT_EQ(t.Find("T1"), StringInterner::kAbsent);
  EXPECT_EQ(t.Intern("T1"), 0u);
  EXPECT_EQ(t.Intern("T2"), 1u);
  EXPECT_EQ(t.Intern("T1"), 0u);
  EXPECT_EQ(t.Find("T2"), 1u);
  EXPECT_EQ(t.Find("T3"), StringInterner::kAbsent);
  EXPECT_EQ(t.Intern(""), 2u);  // the table itself accepts any string
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.id(1), "T2");
  t.Clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.Find("T1"), StringInterner::kAbsent);
  EXPECT_EQ(t.Intern("T9"), 0u);
}

TEST(StringInterner, MatchesAMapOnRandomIds) {
  std::mt19937_64 rng(7);
  StringInterner t;
  std::map<std::string, uint32_t> want;
  for (int i = 0; i < 200000; ++i) {
    // Few distinct lengths and shared prefixes: equal tags must still compare strings.
    std::string id = "TCK-" + std::to_string(rng() % 60000);
    if (rng() % 3 == 0) id += std::string(rng() % 40, 'x');
    auto [it, fresh] = want.try_emplace(id, static_cast<uint32_t>(want.size()));
    ASSERT_EQ(t.Intern(id), it->second) << id;
    if (fresh) {
      ASSERT_EQ(t.size(), want.size());
    }
  }
  for (const auto& [id, index] : want) {
    ASSERT_EQ(t.Find(id), index);
    ASSERT_EQ(t.id(index), id);
  }
  EXPECT_EQ(t.Find("TCK-60001"), StringInterner::kAbsent);
}

TEST(StringInterner, InternManyEqualsInternOneByOne) {
  std::mt19937_64 rng(11);
  StringInterner many, one;
  for (int round = 0; round < 50; ++round) {
    // Batches repeat keys within themselves and across rounds, and grow the table.
    std::vector<std::string> keys(1 + rng() % 3000);
    for (std::string& k : keys) k = "ticket-" + std::to_string(rng() % 20000);
    std::vector<std::string_view> views(keys.begin(), keys.end());
    std::vector<uint32_t> got(views.size());
    many.InternMany(views, got.data());
    for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(got[i], one.Intern(views[i])) << round << " " << keys[i];
    ASSERT_EQ(many.size(), one.size());
  }
  for (uint32_t i = 0; i < one.size(); ++i) ASSERT_EQ(many.id(i), one.id(i));
  many.InternMany({}, nullptr);  // an empty batch is fine
}

// A batch of keys mostly interned already grows the table no more than
// interning its new keys one by one: a seal's run interns its tickets batch
// by batch, and room reserved for every key of a batch doubled the table of
// a 1.0M-ticket run to 4M slots (32 MB) where 2M held it (sealer.h).
TEST(StringInterner, InternManyGrowsByTheKeysItAdds) {
  StringInterner t;
  for (int i = 0; i < 100'000; ++i) t.Intern("ticket-" + std::to_string(i));  // 262,144 slots
  // 40,000 of them again and 10 new: 100,010 entries, under half the slots.
  std::vector<std::string> keys;
  for (int i = 0; i < 40'000; ++i) keys.push_back("ticket-" + std::to_string(i * 2));
  for (int i = 0; i < 10; ++i) keys.push_back("new-" + std::to_string(i));
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<uint32_t> got(views.size());
  const size_t before = t.MemoryBytes();
  t.InternMany(views, got.data());
  EXPECT_EQ(t.size(), 100'010u);
  EXPECT_EQ(got[1], 2u);
  EXPECT_EQ(got[40'000], 100'000u);
  // Its hashes' scratch (8 bytes a key) is all it adds; doubling the table
  // would add 2 MB of slots.
  EXPECT_LE(t.MemoryBytes(), before + views.size() * sizeof(uint64_t) * 2) << "the table grew for keys it held";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(t.Find("new-" + std::to_string(i)), 100'000u + i);
}

TEST(StringInterner, ReserveKeepsEntries) {
  StringInterner t;
  for (int i = 0; i < 100; ++i) t.Intern("id" + std::to_string(i));
  t.Reserve(10000);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(t.Find("id" + std::to_string(i)), static_cast<uint32_t>(i));
  EXPECT_EQ(t.Intern("new"), 100u);
}

}  // namespace
}  // namespace kpi::storage
