// The field encoding of derived values on disk (query/execution/
// byte_fields.h): integer vectors narrowed to the bytes their span needs
// and doubles stored as integers when all are whole read back exactly
// (extremes, negatives, one repeated value, empty), with the bytes each
// width costs; every shorter prefix and any trailing byte is refused.
#include "query/execution/byte_fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace kpi::query {
namespace {

template <typename T>
void ExpectRoundTrip(const std::vector<T>& v, size_t expected_bytes) {
  std::string bytes;
  EncodeVectors(&bytes, v);
  EXPECT_EQ(bytes.size(), expected_bytes);
  std::vector<T> back;
  ASSERT_TRUE(DecodeVectors(bytes, &back));
  ASSERT_EQ(back.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      EXPECT_EQ(std::signbit(back[i]), std::signbit(v[i])) << i;
      if (std::isnan(v[i])) EXPECT_TRUE(std::isnan(back[i])) << i;
      else EXPECT_EQ(back[i], v[i]) << i;
    } else {
      EXPECT_EQ(back[i], v[i]) << i;
    }
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<T> cut;
    EXPECT_FALSE(DecodeVectors(std::string_view(bytes).substr(0, n), &cut)) << n;
  }
  std::vector<T> longer;
  EXPECT_FALSE(DecodeVectors(bytes + '\0', &longer));
}

constexpr size_t kHeader = 8 + 1;  // count, width (then the base, sizeof(T))

TEST(ByteFields, IntegersNarrowToTheirSpan) {
  ExpectRoundTrip<uint32_t>({}, kHeader + 4);
  ExpectRoundTrip<uint32_t>({7, 7, 7, 7}, kHeader + 4);  // one value: no bytes each
  ExpectRoundTrip<uint32_t>({3, 200, 255 + 3}, kHeader + 4 + 3);
  ExpectRoundTrip<uint32_t>({0, 65535}, kHeader + 4 + 2 * 2);
  ExpectRoundTrip<uint32_t>({0, std::numeric_limits<uint32_t>::max()}, kHeader + 4 + 2 * 4);
  const int64_t day = 1'736'000'000'000;
  ExpectRoundTrip<int64_t>({day, day + 86'400'000, day + 5}, kHeader + 8 + 3 * 4);
  ExpectRoundTrip<int64_t>({-5, 3, -1}, kHeader + 8 + 3);
  ExpectRoundTrip<int64_t>({std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
                           kHeader + 8 + 2 * 8);
  ExpectRoundTrip<uint64_t>({std::numeric_limits<uint64_t>::max(), 0, 1ull << 40}, kHeader + 8 + 3 * 8);
  ExpectRoundTrip<uint8_t>({1, 1, 1}, kHeader + 1);
  ExpectRoundTrip<uint8_t>({0, 1, 255}, kHeader + 1 + 3);
}

TEST(ByteFields, WholeDoublesAreStoredAsIntegers) {
  ExpectRoundTrip<double>({1000, 2500, 86'400'000}, 1 + kHeader + 8 + 3 * 4);
  ExpectRoundTrip<double>({-3, 0, 4}, 1 + kHeader + 8 + 3);
  ExpectRoundTrip<double>({9007199254740991.0, -9007199254740991.0}, 1 + kHeader + 8 + 2 * 7);
  // Otherwise as they are: a fraction, -0, NaN, infinity, 2^53.
  ExpectRoundTrip<double>({1.5, 2}, 1 + 8 + 2 * 8);
  ExpectRoundTrip<double>({-0.0, 2}, 1 + 8 + 2 * 8);
  ExpectRoundTrip<double>({std::nan(""), 2}, 1 + 8 + 2 * 8);
  ExpectRoundTrip<double>({std::numeric_limits<double>::infinity()}, 1 + 8 + 8);
  ExpectRoundTrip<double>({9007199254740992.0}, 1 + 8 + 8);
}

// A width above the type's, or a count no bytes can hold, is refused.
TEST(ByteFields, ImpossibleHeadersAreRefused) {
  std::string bytes;
  ByteWriter w{&bytes};
  w.Pod<uint64_t>(2);
  w.Pod<uint8_t>(5);  // wider than a u32
  w.Pod<uint32_t>(0);
  bytes.append(10, '\0');
  std::vector<uint32_t> v;
  EXPECT_FALSE(DecodeVectors(bytes, &v));
  bytes.clear();
  w.Pod<uint64_t>(uint64_t{1} << 40);  // width 0: no bytes, but no value is that long
  w.Pod<uint8_t>(0);
  w.Pod<uint32_t>(0);
  EXPECT_FALSE(DecodeVectors(bytes, &v));
}

}  // namespace
}  // namespace kpi::query
