#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

void RoundTrip(const std::vector<std::string>& values) {
  std::string block;
  Encoding e = EncodeStrings(values, &block);
  EXPECT_TRUE(e == Encoding::kStrings || e == Encoding::kStringsNumbered);
  testing::GuardedBytes guarded(block);
  std::string_view in = guarded.view();
  std::vector<std::string> out = {"stale"};
  Status s = DecodeStrings(&in, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(out, values);
}

TEST(StringCodecTest, RoundTrips) {
  RoundTrip({});
  RoundTrip({""});
  RoundTrip({"", "", ""});
  RoundTrip({"INC0001", "INC0002", "INC0003"});
  RoundTrip({std::string("a\0b", 3), std::string(1000, 'x'), "", "\xff\xfe"});
}

TEST(StringCodecTest, TicketIdsUseTheNumberedEncodingAndRoundTrip) {
  const std::vector<std::vector<std::string>> numbered = {
      {"T000001", "T000002", "T000100"},                  // fixed width, zero padded
      {"Case 3608", "Case 2748", "Case 10", "Case 0"},    // variable width, canonical
      {"INC0000045", "INC0000047"},
      {"1-364285768", "1-364285769"},
      {"7", "12", "300"},                                 // no prefix
  };
  for (const auto& v : numbered) {
    std::string block;
    EXPECT_EQ(EncodeStrings(v, &block), Encoding::kStringsNumbered) << v[0];
    std::string_view in = block;
    std::vector<std::string> out;
    ASSERT_TRUE(DecodeStrings(&in, &out).ok());
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
  // Not expressible as prefix + number: plain strings, still exact.
  const std::vector<std::vector<std::string>> plain = {
      {"T01", "T1"},                   // mixed widths with a leading zero
      {"A1", "B2"},                    // different prefixes
      {"T1x"},                         // suffix after the digits
      {"T"},                           // no digits
      {"X1234567890123456789012"},     // too many digits for int64
  };
  for (const auto& v : plain) {
    std::string block;
    EXPECT_EQ(EncodeStrings(v, &block), Encoding::kStrings) << v[0];
    RoundTrip(v);
  }
}

TEST(StringCodecTest, RandomRoundTrip) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::string> v(rng() % 2000);
    for (auto& s : v) {
      s.resize(rng() % (1 + seed * 3));
      for (auto& c : s) c = static_cast<char>(rng());
    }
    RoundTrip(v);
  }
}

TEST(StringCodecTest, RejectsLengthsPastTheBytes) {
  std::string block;
  EncodeStrings(std::vector<std::string>{"abc", "defg"}, &block);
  std::vector<std::string> out;
  for (size_t cut = 0; cut < block.size(); ++cut) {
    std::string_view in(block.data(), cut);
    EXPECT_EQ(DecodeStrings(&in, &out).code(), Status::Code::kCorruption) << cut;
  }
  // Negative length.
  std::string bad(1, static_cast<char>(Encoding::kStrings));
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>{-1, 2}), &bad);
  bad += "abc";
  std::string_view in = bad;
  EXPECT_EQ(DecodeStrings(&in, &out).code(), Status::Code::kCorruption);
}

TEST(StringCodecTest, LongPrefixesStayPlainAndCorruptPrefixesAreRejected) {
  const std::string prefix(65, 'p');
  const std::vector<std::string> v = {prefix + "1", prefix + "2", prefix + "3"};
  std::string block;
  EXPECT_EQ(EncodeStrings(v, &block), Encoding::kStrings);  // a 65-byte prefix is over the cap
  RoundTrip(v);

  // A numbered block claiming a 65-byte prefix.
  std::string bad(1, static_cast<char>(Encoding::kStringsNumbered));
  PutVarint64(&bad, 65);
  bad += prefix;
  PutVarint64(&bad, 0);
  EncodeInts(std::span<const int64_t>(std::vector<int64_t>{1, 2}), &bad);
  std::string_view in = bad;
  std::vector<std::string> out;
  EXPECT_EQ(DecodeStrings(&in, &out).code(), Status::Code::kCorruption);
}

TEST(StringCodecTest, RejectsMoreThanMaxBlockStrings) {
  // Constant int blocks can claim any count in three bytes: both string forms
  // must refuse counts over kMaxBlockStrings before building the strings.
  for (Encoding form : {Encoding::kStrings, Encoding::kStringsNumbered}) {
    std::string bad(1, static_cast<char>(form));
    if (form == Encoding::kStringsNumbered) {
      PutVarint64(&bad, 1);
      bad += "T";
      PutVarint64(&bad, 0);
    }
    bad.push_back(static_cast<char>(Encoding::kIntConstant));
    PutVarint64(&bad, kMaxBlockStrings + 1);
    PutVarint64(&bad, 0);
    std::string_view in = bad;
    std::vector<std::string> out;
    EXPECT_EQ(DecodeStrings(&in, &out).code(), Status::Code::kCorruption) << EncodingName(form);
    EXPECT_EQ(in.size(), bad.size());
  }
}

}  // namespace
}  // namespace kpi::codec
