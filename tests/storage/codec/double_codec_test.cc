#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

// Bit-exact comparison (distinguishes -0.0 from 0.0, compares NaN payloads).
void ExpectSameBits(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(got[i]), std::bit_cast<uint64_t>(want[i])) << "index " << i << ": " << want[i];
  }
}

Encoding RoundTrip(const std::vector<double>& values, size_t* size = nullptr) {
  std::string block;
  const Encoding e = EncodeDoubles(values, &block);
  testing::GuardedBytes guarded(block);
  std::string_view in = guarded.view();
  std::vector<double> out = {3.0};
  Status s = DecodeDoubles(&in, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty());
  ExpectSameBits(out, values);
  if (size != nullptr) *size = block.size();
  return e;
}

TEST(DoubleCodecTest, EmptyRoundTrips) { RoundTrip({}); }

TEST(DoubleCodecTest, DecimalsAreScaled) {
  std::mt19937_64 rng(1);
  std::vector<double> cents(2000);
  for (auto& v : cents) v = static_cast<double>(static_cast<int64_t>(rng() % 1000000) - 500000) / 100.0;
  size_t size;
  EXPECT_EQ(RoundTrip(cents, &size), Encoding::kDoubleScaled);
  EXPECT_LT(size, 2000u * 3);  // 20 bits a value instead of 64

  std::vector<double> integers;
  for (int i = 0; i < 500; ++i) integers.push_back(i * 60.0);
  EXPECT_EQ(RoundTrip(integers), Encoding::kDoubleScaled);

  std::vector<double> micro;
  for (int i = 0; i < 500; ++i) micro.push_back(i * 1e-6 + 1.0);
  for (auto& v : micro) v = std::round(v * 1e6) / 1e6;  // exactly what decoding yields
  EXPECT_EQ(RoundTrip(micro), Encoding::kDoubleScaled);
}

TEST(DoubleCodecTest, ScaleRaisedMidwayStillExact) {
  // Early values need k = 0, later ones k = 3: all must hold at k = 3.
  EXPECT_EQ(RoundTrip({1, 2, 3, 4, 5, 6, 7, 8, 1.125, 2.5, 0.001}), Encoding::kDoubleScaled);
}

TEST(DoubleCodecTest, InexactValuesStayPlain) {
  EXPECT_EQ(RoundTrip({0.1, 1.0 / 3.0}), Encoding::kDoublePlain);
  EXPECT_EQ(RoundTrip({1e-7, 2e-7, 3e-7, 4e-7}), Encoding::kDoublePlain);  // k would be 7
  EXPECT_EQ(RoundTrip({9007199254740992.0, 1, 2, 3}), Encoding::kDoublePlain);  // 2^53
  EXPECT_EQ(RoundTrip({std::numeric_limits<double>::max(), 1, 2}), Encoding::kDoublePlain);
  EXPECT_EQ(RoundTrip({std::numeric_limits<double>::denorm_min(), 0, 0}), Encoding::kDoublePlain);
}

TEST(DoubleCodecTest, NegativeZeroKeepsItsSign) {
  EXPECT_EQ(RoundTrip({1, 2, -0.0, 3, 4, 5, 6}), Encoding::kDoublePlain);
  EXPECT_EQ(RoundTrip({0.0, 0.0, 0.0, 0.0}), Encoding::kDoubleScaled);
}

TEST(DoubleCodecTest, NonFiniteStayPlain) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(RoundTrip({1, 2, nan, 4, 5, 6}), Encoding::kDoublePlain);
  EXPECT_EQ(RoundTrip({inf, 1, 2, 3, 4, 5}), Encoding::kDoublePlain);
  EXPECT_EQ(RoundTrip({-inf, 1, 2, 3, 4, 5}), Encoding::kDoublePlain);
}

TEST(DoubleCodecTest, SmallBlocksPickTheSmallerForm) {
  size_t size;
  RoundTrip({2.5}, &size);
  EXPECT_LE(size, 1 + 1 + 8u);
}

TEST(DoubleCodecTest, RandomRoundTrip) {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::mt19937_64 rng(seed);
    const size_t n = rng() % 5000;
    const int k = static_cast<int>(seed % 8);  // 7 means: arbitrary doubles
    std::vector<double> v(n);
    for (auto& x : v) {
      if (k == 7) {
        x = std::bit_cast<double>(rng());
      } else {
        const int64_t i = static_cast<int64_t>(rng() % (uint64_t{1} << (10 + seed % 40))) - (int64_t{1} << 9);
        x = static_cast<double>(i) / std::pow(10.0, k);
      }
    }
    const Encoding e = RoundTrip(v);
    if (k < 7 && n > 8) {
      EXPECT_EQ(e, Encoding::kDoubleScaled) << "seed " << seed;
    }
  }
}

TEST(DoubleCodecTest, RejectsBadScaleAndCountMismatch) {
  std::string block;
  EncodeDoubles(std::vector<double>{1.5, 2.5, 3.5}, &block);
  ASSERT_EQ(static_cast<uint8_t>(block[0]), static_cast<uint8_t>(Encoding::kDoubleScaled));
  std::vector<double> out;
  std::string bad = block;
  bad[2] = 7;  // scale above 6
  std::string_view in = bad;
  EXPECT_EQ(DecodeDoubles(&in, &out).code(), Status::Code::kCorruption);
  bad = block;
  bad[1] = 4;  // outer count disagrees with the int block
  in = bad;
  EXPECT_EQ(DecodeDoubles(&in, &out).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace kpi::codec
