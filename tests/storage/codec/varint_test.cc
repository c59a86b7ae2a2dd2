#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

TEST(VarintTest, RoundTripsBoundaries) {
  const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, (uint64_t{1} << 63) - 1, uint64_t{1} << 63,
                             UINT64_MAX};
  std::string buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  std::string_view in = buf;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(VarintTest, EncodedLengths) {
  std::string b;
  PutVarint64(&b, 127);
  EXPECT_EQ(b.size(), 1u);
  b.clear();
  PutVarint64(&b, 128);
  EXPECT_EQ(b.size(), 2u);
  b.clear();
  PutVarint64(&b, UINT64_MAX);
  EXPECT_EQ(b.size(), 10u);
}

TEST(VarintTest, RejectsTruncationAndOverflow) {
  std::string b;
  PutVarint64(&b, UINT64_MAX);
  for (size_t len = 0; len < b.size(); ++len) {
    std::string_view in(b.data(), len);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
    EXPECT_EQ(in.size(), len) << "a failed read must not consume";
  }
  // Ten bytes whose last carries more than bit 63.
  std::string over(9, '\xff');
  over.push_back('\x02');
  std::string_view in = over;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  // Eleven continuation bytes never terminate within the limit.
  std::string endless(11, '\x80');
  in = endless;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(VarintTest, RandomRoundTrip) {
  std::mt19937_64 rng(7);
  std::string buf;
  std::vector<uint64_t> vals;
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    vals.push_back(v);
    PutVarint64(&buf, v);
  }
  std::string_view in = buf;
  for (uint64_t v : vals) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    ASSERT_EQ(got, v);
  }
}

TEST(ZigZagTest, MapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(INT64_MAX), UINT64_MAX - 1);
  EXPECT_EQ(ZigZag(INT64_MIN), UINT64_MAX);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{5}, INT64_MIN, INT64_MAX}) EXPECT_EQ(UnZigZag(ZigZag(v)), v);
}

TEST(EncodingNameTest, NamesEveryTagAndToleratesUnknownBytes) {
  EXPECT_STREQ(EncodingName(Encoding::kIntConstant), "constant");
  EXPECT_STREQ(EncodingName(Encoding::kIntBitpacked), "bitpacked");
  EXPECT_STREQ(EncodingName(Encoding::kIntRunLength), "rle");
  EXPECT_STREQ(EncodingName(Encoding::kIntDelta), "delta");
  EXPECT_STREQ(EncodingName(Encoding::kDoubleScaled), "scaled");
  EXPECT_STREQ(EncodingName(Encoding::kDoublePlain), "plain");
  EXPECT_STREQ(EncodingName(Encoding::kStrings), "strings");
  EXPECT_STREQ(EncodingName(Encoding::kPresenceBitmap), "bitmap");
  EXPECT_STREQ(EncodingName(Encoding::kPresenceRows), "rows");
  for (int tag = 0; tag < 256; ++tag) EXPECT_NE(EncodingName(static_cast<Encoding>(tag)), nullptr);
  EXPECT_STREQ(EncodingName(static_cast<Encoding>(0)), "unknown");
  EXPECT_STREQ(EncodingName(static_cast<Encoding>(200)), "unknown");
}

}  // namespace
}  // namespace kpi::codec
