#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

Encoding RoundTrip(const std::vector<uint32_t>& rows, uint32_t num_rows, size_t* size = nullptr) {
  std::string block;
  const Encoding e = EncodePresence(rows, num_rows, &block);
  testing::GuardedBytes guarded(block);
  std::string_view in = guarded.view();
  std::vector<uint32_t> out = {99};
  Status s = DecodePresence(&in, num_rows, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(out, rows);
  if (size != nullptr) *size = block.size();
  return e;
}

std::vector<uint32_t> Sample(std::mt19937_64& rng, uint32_t num_rows, double density) {
  std::vector<uint32_t> rows;
  std::bernoulli_distribution keep(density);
  for (uint32_t r = 0; r < num_rows; ++r) {
    if (keep(rng)) rows.push_back(r);
  }
  return rows;
}

TEST(PresenceCodecTest, EdgeCases) {
  EXPECT_EQ(RoundTrip({}, 0), Encoding::kPresenceRows);
  EXPECT_EQ(RoundTrip({}, 1000), Encoding::kPresenceRows);
  RoundTrip({0}, 1);
  RoundTrip({UINT32_MAX - 1}, UINT32_MAX);
  std::vector<uint32_t> all(10000);
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  size_t size;
  RoundTrip(all, 10000, &size);
  EXPECT_LE(size, 10u);  // every row: constant gaps pack in width 0
}

TEST(PresenceCodecTest, SparseRowsUseARowListDenseRandomUseABitmap) {
  std::mt19937_64 rng(1);
  EXPECT_EQ(RoundTrip(Sample(rng, 100000, 0.001), 100000), Encoding::kPresenceRows);
  size_t size;
  EXPECT_EQ(RoundTrip(Sample(rng, 100000, 0.5), 100000, &size), Encoding::kPresenceBitmap);
  EXPECT_LE(size, 100000u / 8 + 8);
}

TEST(PresenceCodecTest, RandomRoundTrip) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    const uint32_t num_rows = static_cast<uint32_t>(rng() % 10001);
    const double density = static_cast<double>(rng() % 1001) / 1000.0;
    RoundTrip(Sample(rng, num_rows, density), num_rows);
  }
}

TEST(PresenceCodecTest, DecodeValidatesRowsAgainstNumRows) {
  std::string block;
  EncodePresence(std::vector<uint32_t>{1, 5, 9}, 10, &block);
  std::vector<uint32_t> out;
  std::string_view in = block;
  EXPECT_EQ(DecodePresence(&in, 9, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(in.size(), block.size());
  in = block;
  ASSERT_TRUE(DecodePresence(&in, 10, &out).ok());

  std::mt19937_64 rng(2);
  std::vector<uint32_t> dense = Sample(rng, 999, 0.6);
  dense.push_back(999);
  block.clear();
  ASSERT_EQ(EncodePresence(dense, 1000, &block), Encoding::kPresenceBitmap);
  in = block;
  EXPECT_EQ(DecodePresence(&in, 990, &out).code(), Status::Code::kCorruption);
  in = block;
  EXPECT_EQ(DecodePresence(&in, 999, &out).code(), Status::Code::kCorruption);  // bit 999 is set
}

TEST(PresenceCodecTest, InvalidRowsFromTheEncoderFailOnDecode) {
  const std::vector<std::vector<uint32_t>> bad = {{3, 2}, {1, 1}, {5, 20}, {0, 1, 2, 3, 100, 4}};
  for (const auto& rows : bad) {
    std::string block;
    EXPECT_EQ(EncodePresence(rows, 10, &block), Encoding::kPresenceRows);
    std::string_view in = block;
    std::vector<uint32_t> out;
    EXPECT_EQ(DecodePresence(&in, 10, &out).code(), Status::Code::kCorruption);
  }
}

TEST(PresenceCodecTest, BitmapCountMustMatchTheBits) {
  std::string block(1, static_cast<char>(Encoding::kPresenceBitmap));
  PutVarint64(&block, 2);
  block.push_back(0b0111);  // three bits set, count says two
  std::string_view in = block;
  std::vector<uint32_t> out;
  EXPECT_EQ(DecodePresence(&in, 8, &out).code(), Status::Code::kCorruption);
  block[1] = 3;
  in = block;
  ASSERT_TRUE(DecodePresence(&in, 8, &out).ok());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2}));
}

}  // namespace
}  // namespace kpi::codec
