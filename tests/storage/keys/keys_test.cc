// Key encoding: RocksDB compares keys bytewise, so the encoded order of
// (partition, segment) pairs and batch numbers must equal their numeric order.
#include "storage/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

namespace kpi::storage {
namespace {

TEST(KeysTest, SegmentKeysSortLikeTheirNumbers) {
  std::mt19937_64 rng(1);
  std::vector<std::pair<uint32_t, uint32_t>> pairs = {{0, 0}, {0, 1}, {1, 0}, {255, 0}, {256, 0},
                                                      {UINT32_MAX, UINT32_MAX}, {20000, 3}};
  for (int i = 0; i < 2000; ++i) pairs.emplace_back(static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng() % 1000));
  std::vector<std::string> keys;
  for (auto [p, s] : pairs) keys.push_back(SegmentKey(p, s));
  std::vector<size_t> by_key(pairs.size()), by_number(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) by_key[i] = by_number[i] = i;
  std::sort(by_key.begin(), by_key.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::sort(by_number.begin(), by_number.end(), [&](size_t a, size_t b) { return pairs[a] < pairs[b]; });
  for (size_t i = 0; i < pairs.size(); ++i) EXPECT_EQ(pairs[by_key[i]], pairs[by_number[i]]);
}

TEST(KeysTest, SegmentKeysRoundTripAndRejectBadLengths) {
  uint32_t p = 0, s = 0;
  ASSERT_TRUE(ParseSegmentKey(SegmentKey(20089, 7), &p, &s));
  EXPECT_EQ(p, 20089u);
  EXPECT_EQ(s, 7u);
  EXPECT_FALSE(ParseSegmentKey("short", &p, &s));
  EXPECT_FALSE(ParseSegmentKey(SegmentKey(1, 2) + "x", &p, &s));
}

TEST(KeysTest, StagingKeysSortByBatch) {
  for (uint32_t b : {0u, 1u, 255u, 256u, 65535u, 65536u, 1u << 24}) {
    EXPECT_LT(StagingKey(b), StagingKey(b + 1)) << b;
  }
  EXPECT_LT(BatchKey(255), BatchKey(256));
}

TEST(KeysTest, CatalogPrefixesDoNotCollide) {
  EXPECT_EQ(DictionaryPageKey(3, 1)[0], kDictionaryPrefix);
  EXPECT_EQ(MetaKey("kpi", "frt")[0], kMetaPrefix);
  EXPECT_EQ(BatchKey(1)[0], kBatchPrefix);
  // A namespace is terminated, so "kp" never lists "kpi" entries.
  std::string a = MetaKey("kp", ""), b = MetaKey("kpi", "x");
  EXPECT_NE(b.compare(0, a.size(), a), 0);
  EXPECT_LT(DictionaryPageKey(1, 255), DictionaryPageKey(1, 256));
  EXPECT_LT(DictionaryPageKey(1, UINT32_MAX), DictionaryPageKey(2, 0));
}

TEST(KeysTest, BigEndianHelpersRoundTrip) {
  std::string out;
  PutBigEndian64(&out, 0x0102030405060708ull);
  EXPECT_EQ(out, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(GetBigEndian64(out.data()), 0x0102030405060708ull);
}

}  // namespace
}  // namespace kpi::storage
