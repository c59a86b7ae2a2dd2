#include "storage/codec/bitpack.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"

namespace kpi::codec {
namespace {

uint64_t Mask(int width) { return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

TEST(BitpackTest, EveryWidthAndShortLengthRoundTripsWithinExactBytes) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 64; ++width) {
    for (size_t n : {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 100, 257}) {
      std::vector<uint64_t> values(n);
      for (auto& v : values) v = rng() & Mask(width);
      const uint64_t base = rng();
      std::vector<uint64_t> shifted(n);
      for (size_t i = 0; i < n; ++i) shifted[i] = values[i] + base;
      std::string packed;
      Pack(shifted.data(), n, width, base, &packed);
      ASSERT_EQ(packed.size(), PackedBytes(n, width)) << "width " << width << " n " << n;
      ASSERT_EQ(packed.size(), (n * width + 7) / 8);
      testing::GuardedBytes guarded(packed);  // over-reads would fault
      std::vector<uint64_t> out(n, 12345);
      Unpack(reinterpret_cast<const uint8_t*>(guarded.view().data()), n, width, base, out.data());
      ASSERT_EQ(out, shifted) << "width " << width << " n " << n;
    }
  }
}

TEST(BitpackTest, LayoutIsLittleEndianLsbFirst) {
  // Three 4-bit values 1, 2, 3 -> nibbles 0x21, 0x03.
  const uint64_t v[] = {1, 2, 3};
  std::string packed;
  Pack(v, 3, 4, 0, &packed);
  ASSERT_EQ(packed.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(packed[0]), 0x21);
  EXPECT_EQ(static_cast<uint8_t>(packed[1]), 0x03);
}

TEST(BitpackTest, WrappingBaseCoversFullRange) {
  const uint64_t base = static_cast<uint64_t>(INT64_MIN);
  const uint64_t v[] = {static_cast<uint64_t>(INT64_MIN), static_cast<uint64_t>(INT64_MAX), 0};
  std::string packed;
  Pack(v, 3, 64, base, &packed);
  uint64_t out[3];
  Unpack(reinterpret_cast<const uint8_t*>(packed.data()), 3, 64, base, out);
  EXPECT_EQ(out[0], v[0]);
  EXPECT_EQ(out[1], v[1]);
  EXPECT_EQ(out[2], v[2]);
}

TEST(BitpackTest, RandomLengthsAndWidths) {
  std::mt19937_64 rng(2);
  for (int iter = 0; iter < 300; ++iter) {
    const int width = static_cast<int>(rng() % 65);
    const size_t n = rng() % 10001;
    std::vector<uint64_t> values(n);
    for (auto& v : values) v = rng() & Mask(width);
    std::string packed;
    Pack(values.data(), n, width, 0, &packed);
    ASSERT_EQ(packed.size(), PackedBytes(n, width));
    testing::GuardedBytes guarded(packed);
    std::vector<uint64_t> out(n);
    Unpack(reinterpret_cast<const uint8_t*>(guarded.view().data()), n, width, 0, out.data());
    ASSERT_EQ(out, values) << "width " << width << " n " << n;
  }
}

TEST(BitpackTest, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(UINT64_MAX), 64);
}

}  // namespace
}  // namespace kpi::codec
