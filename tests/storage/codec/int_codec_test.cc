#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

// Encodes, checks the block decodes back exactly (from memory that ends at a
// guard page) and consumes exactly the block; returns the chosen encoding.
Encoding RoundTrip(const std::vector<int64_t>& values, size_t* size = nullptr) {
  std::string block = "prefix";
  const size_t prefix = block.size();
  const Encoding e = EncodeInts(std::span<const int64_t>(values), &block);
  EXPECT_EQ(static_cast<uint8_t>(block[prefix]), static_cast<uint8_t>(e));
  testing::GuardedBytes guarded(std::string_view(block).substr(prefix));
  std::string_view in = guarded.view();
  std::vector<int64_t> out = {42};
  Status s = DecodeInts(&in, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty()) << "block not fully consumed";
  EXPECT_EQ(out, values) << EncodingName(e);
  if (size != nullptr) *size = block.size() - prefix;
  return e;
}

TEST(IntCodecTest, EmptyRoundTrips) {
  EXPECT_EQ(RoundTrip({}), Encoding::kIntConstant);
  std::string block;
  EncodeInts(std::span<const uint32_t>(), &block);
  std::string_view in = block;
  std::vector<uint32_t> out = {1, 2};
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(IntCodecTest, ConstantBlocks) {
  size_t size;
  EXPECT_EQ(RoundTrip({5}, &size), Encoding::kIntConstant);
  EXPECT_EQ(size, 3u);
  EXPECT_EQ(RoundTrip(std::vector<int64_t>(10000, -77), &size), Encoding::kIntConstant);
  EXPECT_LE(size, 5u);
  EXPECT_EQ(RoundTrip({INT64_MIN}), Encoding::kIntConstant);
  EXPECT_EQ(RoundTrip(std::vector<int64_t>(3, INT64_MAX)), Encoding::kIntConstant);
}

TEST(IntCodecTest, ExtremesRoundTrip) {
  RoundTrip({INT64_MIN, INT64_MAX});
  RoundTrip({INT64_MAX, INT64_MIN, INT64_MAX, 0, -1, 1});
  RoundTrip({0, INT64_MIN, 0, INT64_MIN});
  std::vector<int64_t> alternating;
  for (int i = 0; i < 1000; ++i) alternating.push_back(i % 2 ? INT64_MIN : INT64_MAX);
  RoundTrip(alternating);
  // Huge deltas in both directions, including ones that overflow int64.
  RoundTrip({0, INT64_MAX, INT64_MIN, 1, INT64_MAX - 1, -5});
  std::vector<int64_t> big_steps;
  for (uint64_t i = 0; i < 100; ++i) {
    big_steps.push_back(static_cast<int64_t>(static_cast<uint64_t>(INT64_MIN) + i * (uint64_t{INT64_MAX} / 50)));
  }
  RoundTrip(big_steps);
}

TEST(IntCodecTest, AlternatingRunsRoundTrip) {
  std::vector<int64_t> v;
  for (int run = 0; run < 200; ++run) v.insert(v.end(), 1 + run % 7, run % 2 ? -3 : 1000000);
  RoundTrip(v);
}

TEST(IntCodecTest, PicksBitpackedForRandomSmallValues) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> v(5000);
  for (auto& x : v) x = 1000 + static_cast<int64_t>(rng() % 4096);
  size_t size;
  EXPECT_EQ(RoundTrip(v, &size), Encoding::kIntBitpacked);
  EXPECT_LE(size, 5000u * 12 / 8 + 16);  // 12 bits a value plus a small header
}

TEST(IntCodecTest, PicksRunLengthForLongRuns) {
  std::mt19937_64 rng(4);
  std::vector<int64_t> v;
  for (int run = 0; run < 100; ++run) v.insert(v.end(), 50 + rng() % 100, static_cast<int64_t>(rng() % 1000));
  size_t size;
  EXPECT_EQ(RoundTrip(v, &size), Encoding::kIntRunLength);
  EXPECT_LT(size, 100u * 3 + 16);
}

TEST(IntCodecTest, PicksDeltaForSortedTimestamps) {
  std::mt19937_64 rng(5);
  std::vector<int64_t> v;
  int64_t t = 1700000000000;  // ms since epoch
  for (int i = 0; i < 10000; ++i) v.push_back(t += 1000 + static_cast<int64_t>(rng() % 4000));
  size_t size;
  EXPECT_EQ(RoundTrip(v, &size), Encoding::kIntDelta);
  EXPECT_LE(size, 10000u * 12 / 8 + 24);  // deltas span < 4096
}

TEST(IntCodecTest, PicksPatchedWhenFewOutliersWouldWidenEveryValue) {
  // Time gaps: mostly seconds, a few days. Bitpacked would need 28+ bits each.
  std::mt19937_64 rng(9);
  std::vector<int64_t> v;
  for (int i = 0; i < 5000; ++i) v.push_back(rng() % 50 == 0 ? 200'000'000 + int64_t(rng() % 100'000'000)
                                                            : int64_t(rng() % 60'000));
  size_t size;
  EXPECT_EQ(RoundTrip(v, &size), Encoding::kIntPatched);
  EXPECT_LT(size, 5000u * 28 / 8);
  // Outliers at both ends of the block and a negative frame also round-trip.
  v.front() = -5;
  v.back() = INT64_MAX;
  RoundTrip(v);
  v.assign(300, 3);
  v[0] = INT64_MIN;
  v[299] = INT64_MAX;
  RoundTrip(v);
}

TEST(IntCodecTest, PatchedStreamsThroughChunksAsUint32) {
  std::vector<uint32_t> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 97 == 0) ? 4'000'000'000u - i : uint32_t(i % 13);
  std::string block;
  EXPECT_EQ(EncodeInts(std::span<const uint32_t>(v), &block), Encoding::kIntPatched);
  std::string_view in = block;
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, v);
}

TEST(IntCodecTest, EncodedSizeIsTheSmallestCandidate) {
  // A regular arithmetic sequence: delta packs it in width 0.
  std::vector<int64_t> v;
  for (int i = 0; i < 1000; ++i) v.push_back(INT64_MIN + 3 * i);
  size_t size;
  EXPECT_EQ(RoundTrip(v, &size), Encoding::kIntDelta);
  EXPECT_LE(size, 16u);
}

TEST(IntCodecTest, RandomRoundTripAcrossWidthsAndLengths) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    const int width = static_cast<int>(seed % 65);
    const size_t n = seed < 20 ? seed : rng() % 10001;
    const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    const int64_t offset = static_cast<int64_t>(rng());
    std::vector<int64_t> v(n);
    const int shape = static_cast<int>(seed % 4);
    int64_t acc = offset;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t r = rng() & mask;
      switch (shape) {
        case 0: v[i] = static_cast<int64_t>(static_cast<uint64_t>(offset) + r); break;   // FOR
        case 1: v[i] = static_cast<int64_t>(r); break;                                   // raw
        case 2: v[i] = acc = static_cast<int64_t>(static_cast<uint64_t>(acc) + r); break;  // sorted-ish
        default: v[i] = (i / 37) % 2 ? static_cast<int64_t>(r) : offset; break;          // runs
      }
    }
    RoundTrip(v);
  }
}

TEST(IntCodecTest, Uint32OverloadSharesTheFormat) {
  std::mt19937 rng(6);
  std::vector<uint32_t> v(3000);
  for (auto& x : v) x = rng();
  v[0] = UINT32_MAX;
  v[1] = 0;
  std::string narrow, wide;
  const Encoding e32 = EncodeInts(std::span<const uint32_t>(v), &narrow);
  const std::vector<int64_t> v64(v.begin(), v.end());
  const Encoding e64 = EncodeInts(std::span<const int64_t>(v64), &wide);
  EXPECT_EQ(e32, e64);
  EXPECT_EQ(narrow, wide);
  std::string_view in = narrow;
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, v);
  in = narrow;
  std::vector<int64_t> out64;
  ASSERT_TRUE(DecodeInts(&in, &out64).ok());
  EXPECT_EQ(out64, v64);
}

TEST(IntCodecTest, Uint32DecodeRejectsOutOfRangeValues) {
  for (std::vector<int64_t> v : {std::vector<int64_t>{-1, 5}, std::vector<int64_t>{0, int64_t{UINT32_MAX} + 1},
                                 std::vector<int64_t>(4, -9)}) {
    std::string block;
    EncodeInts(std::span<const int64_t>(v), &block);
    std::string_view in = block;
    std::vector<uint32_t> out;
    Status s = DecodeInts(&in, &out);
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
    EXPECT_EQ(in.size(), block.size()) << "failed decode must not consume";
  }
}

TEST(IntCodecTest, ConsecutiveBlocksDecodeInOrder) {
  std::string buf;
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>{1, 2, 3}), &buf);
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>(50, 9)), &buf);
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>{INT64_MIN, 0}), &buf);
  std::string_view in = buf;
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3}));
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, std::vector<int64_t>(50, 9));
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{INT64_MIN, 0}));
  EXPECT_TRUE(in.empty());
}

TEST(IntCodecTest, RejectsAbsurdCounts) {
  // A constant block claiming more than kMaxBlockValues values.
  std::string block(1, static_cast<char>(Encoding::kIntConstant));
  PutVarint64(&block, kMaxBlockValues + 1);
  PutVarint64(&block, 0);
  std::string_view in = block;
  std::vector<int64_t> out;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
  // A bitpacked block claiming a million 8-bit values but holding 3 bytes.
  block.assign(1, static_cast<char>(Encoding::kIntBitpacked));
  PutVarint64(&block, 1000000);
  PutVarint64(&block, 0);
  block.push_back(8);
  block.append("abc");
  in = block;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
}

TEST(IntCodecTest, RejectsInconsistentRuns) {
  // Two runs whose lengths add to 5 in a block claiming 6 values.
  std::string block(1, static_cast<char>(Encoding::kIntRunLength));
  PutVarint64(&block, 6);
  PutVarint64(&block, 2);
  PutVarint64(&block, ZigZag(7));  // run values: frame 7, width 0
  block.push_back(0);
  PutVarint64(&block, ZigZag(2));  // run lengths 2 and 3: frame 2, width 1, bits 0b10
  block.push_back(1);
  block.push_back(0b10);
  std::string_view in = block;
  std::vector<int64_t> out;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
  // The same with a correct count decodes.
  block[1] = 5;
  in = block;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, (std::vector<int64_t>{7, 7, 7, 7, 7}));
}

TEST(IntCodecTest, RejectsWrongTagAndWidth) {
  std::string block;
  EncodeDoubles(std::vector<double>{1.5}, &block);
  std::string_view in = block;
  std::vector<int64_t> out;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
  block.assign(1, static_cast<char>(Encoding::kIntBitpacked));
  PutVarint64(&block, 1);
  PutVarint64(&block, 0);
  block.push_back(65);  // width above 64
  block.append(16, '\0');
  in = block;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace kpi::codec
