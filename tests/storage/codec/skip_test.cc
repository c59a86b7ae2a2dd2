// Skip*: stepping over a block without decoding it lands exactly where
// decoding it would, for every encoding, and refuses what decoding refuses
// up front (a truncated block, a wrong tag) without reading past the input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

// `block` followed by a marker byte: Skip must consume exactly the block,
// as Decode does, and stop before the marker.
template <typename Skip, typename Decode>
void ExpectSkipLikeDecode(const std::string& block, Skip skip, Decode decode) {
  const std::string with_tail = block + "#";
  testing::GuardedBytes guarded(with_tail);
  std::string_view skipped = guarded.view(), decoded = guarded.view();
  ASSERT_TRUE(decode(&decoded).ok());
  Status s = skip(&skipped);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(skipped, decoded);
  EXPECT_EQ(skipped, "#");
  for (size_t cut = 0; cut < block.size(); ++cut) {  // every truncation is refused, nothing read past it
    testing::GuardedBytes truncated(block.substr(0, cut));
    std::string_view in = truncated.view();
    EXPECT_FALSE(skip(&in).ok()) << "cut at " << cut;
    EXPECT_EQ(in.size(), cut) << "input moved on failure";
  }
}

void CheckInts(const std::vector<int64_t>& values, Encoding expected) {
  std::string block;
  ASSERT_EQ(EncodeInts(std::span<const int64_t>(values), &block), expected) << EncodingName(expected);
  std::vector<int64_t> out;
  ExpectSkipLikeDecode(block, [](std::string_view* in) { return SkipInts(in); },
                       [&](std::string_view* in) { return DecodeInts(in, &out); });
}

TEST(SkipTest, EveryIntEncoding) {
  CheckInts(std::vector<int64_t>(1000, 7), Encoding::kIntConstant);
  std::vector<int64_t> small, runs, rising, outliers;
  for (int i = 0; i < 1000; ++i) {
    small.push_back((i * 7919) % 13);
    runs.push_back(i / 100);
    rising.push_back(1'000'000'000'000 + int64_t{i} * 1'000 + (i * 7) % 5);
    outliers.push_back(i % 97 == 0 ? 86'400'000 : (i * 31) % 64);
  }
  CheckInts(small, Encoding::kIntBitpacked);
  CheckInts(runs, Encoding::kIntRunLength);
  CheckInts(rising, Encoding::kIntDelta);
  CheckInts(outliers, Encoding::kIntPatched);
}

TEST(SkipTest, StringsDoublesAndPresence) {
  std::vector<std::string> numbered, plain;
  for (int i = 0; i < 300; ++i) {
    numbered.push_back("T" + std::to_string(100000 + i));
    plain.push_back(std::string(static_cast<size_t>(i % 17), 'x') + "-" + std::to_string(i * i));
  }
  for (const auto* values : {&numbered, &plain}) {
    std::string block;
    EncodeStrings(*values, &block);
    std::vector<std::string> out;
    ExpectSkipLikeDecode(block, [](std::string_view* in) { return SkipStrings(in); },
                         [&](std::string_view* in) { return DecodeStrings(in, &out); });
  }
  std::vector<double> scaled, raw;
  for (int i = 0; i < 300; ++i) {
    scaled.push_back(i * 0.25);
    raw.push_back(1.0 / (i + 3));
  }
  for (const auto* values : {&scaled, &raw}) {
    std::string block;
    EncodeDoubles(*values, &block);
    std::vector<double> out;
    ExpectSkipLikeDecode(block, [](std::string_view* in) { return SkipDoubles(in); },
                         [&](std::string_view* in) { return DecodeDoubles(in, &out); });
  }
  std::vector<uint32_t> dense, sparse;
  for (uint32_t r = 0; r < 1000; ++r) {
    if (r % 3 != 0) dense.push_back(r);
    if (r % 97 == 0) sparse.push_back(r);
  }
  for (const auto* rows : {&dense, &sparse}) {
    std::string block;
    EncodePresence(*rows, 1000, &block);
    std::vector<uint32_t> out;
    ExpectSkipLikeDecode(block, [](std::string_view* in) { return SkipPresence(in, 1000); },
                         [&](std::string_view* in) { return DecodePresence(in, 1000, &out); });
  }
}

TEST(SkipTest, WrongTagsAreRefused) {
  std::string ints;
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>{1, 2, 3}), &ints);
  std::string_view in = ints;
  EXPECT_FALSE(SkipStrings(&in).ok());
  EXPECT_FALSE(SkipDoubles(&in).ok());
  EXPECT_FALSE(SkipPresence(&in, 10).ok());
  EXPECT_EQ(in.size(), ints.size());
}

}  // namespace
}  // namespace kpi::codec
