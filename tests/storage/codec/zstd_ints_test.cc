// Compressed int blocks (EncodeIntsCompressed, tag kIntZstd): used when zstd
// saves an eighth, read back by DecodeInts and stepped over by SkipInts
// exactly like the plain block, and every damaged wrapper is Corruption.
#include <gtest/gtest.h>

#include <zstd.h>

#include <random>
#include <string>
#include <vector>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

// Event codes of tickets that mostly follow one path: what frame-of-reference
// packing cannot shrink and zstd can.
std::vector<uint32_t> Patterned(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<uint32_t> path = {1, 2, 3, 5, 3, 4, 6};
  std::vector<uint32_t> v;
  while (v.size() < n) {
    const size_t len = 3 + rng() % path.size();
    for (size_t i = 0; i < len && v.size() < n; ++i) v.push_back(rng() % 20 == 0 ? 1 + rng() % 9 : path[i % path.size()]);
  }
  return v;
}

TEST(ZstdIntsTest, PatternedBlocksAreCompressedAndReadBack) {
  const std::vector<uint32_t> values = Patterned(5000, 1);
  std::string plain, block;
  EncodeInts(std::span<const uint32_t>(values), &plain);
  ASSERT_EQ(EncodeIntsCompressed(std::span<const uint32_t>(values), &block), Encoding::kIntZstd);
  EXPECT_LE(block.size(), plain.size() - plain.size() / 8);
  const std::string with_tail = block + "#";
  testing::GuardedBytes guarded(with_tail);
  std::string_view in = guarded.view();
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(in, "#");
  std::string_view wide_in = guarded.view();
  std::vector<int64_t> wide;
  ASSERT_TRUE(DecodeInts(&wide_in, &wide).ok());
  EXPECT_EQ(wide, std::vector<int64_t>(values.begin(), values.end()));
  std::string_view skipped = guarded.view();
  ASSERT_TRUE(SkipInts(&skipped).ok());
  EXPECT_EQ(skipped, "#");
  for (size_t cut = 0; cut < block.size(); ++cut) {  // truncations: refused, input unmoved
    testing::GuardedBytes truncated(block.substr(0, cut));
    std::string_view a = truncated.view(), b = truncated.view();
    EXPECT_FALSE(DecodeInts(&a, &out).ok()) << cut;
    EXPECT_EQ(a.size(), cut);
    EXPECT_FALSE(SkipInts(&b).ok()) << cut;
    EXPECT_EQ(b.size(), cut);
  }
}

TEST(ZstdIntsTest, IncompressibleBlocksStayPlain) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> values(3000);
  for (int64_t& v : values) v = static_cast<int64_t>(rng() % 1'000'000'000);
  std::string plain, block;
  const Encoding e = EncodeInts(std::span<const int64_t>(values), &plain);
  EXPECT_EQ(EncodeIntsCompressed(std::span<const int64_t>(values), &block), e);
  EXPECT_EQ(block, plain);
  const std::vector<int64_t> few = {1, 2, 3};  // too small to gain 16 bytes
  block.clear();
  EXPECT_NE(EncodeIntsCompressed(std::span<const int64_t>(few), &block), Encoding::kIntZstd);
}

std::string Wrap(const std::string& raw, uint64_t claimed_raw) {
  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), raw.data(), raw.size(), 3));
  std::string out(1, static_cast<char>(Encoding::kIntZstd));
  PutVarint64(&out, claimed_raw);
  PutVarint64(&out, frame.size());
  return out + frame;
}

TEST(ZstdIntsTest, DamagedWrappersAreCorruption) {
  const std::vector<uint32_t> values = Patterned(2000, 2);
  std::string raw;
  EncodeInts(std::span<const uint32_t>(values), &raw);
  std::vector<uint32_t> out;
  auto refused = [&](const std::string& block) {
    std::string_view in = block;
    const Status s = DecodeInts(&in, &out);
    return !s.ok() && s.code() == Status::Code::kCorruption && in.size() == block.size();
  };
  EXPECT_FALSE(refused(Wrap(raw, raw.size())));                  // well formed
  EXPECT_TRUE(refused(Wrap(raw, raw.size() + 1)));               // wrong raw size
  EXPECT_TRUE(refused(Wrap(raw, uint64_t{1} << 40)));            // absurd raw size
  EXPECT_TRUE(refused(Wrap(Wrap(raw, raw.size()), Wrap(raw, raw.size()).size())));  // nested
  EXPECT_TRUE(refused(Wrap(raw + raw, 2 * raw.size())));         // two blocks in one wrapper
  std::string damaged = Wrap(raw, raw.size());
  damaged[damaged.size() / 2] ^= 0x5a;
  std::string_view in = damaged;
  const Status s = DecodeInts(&in, &out);
  if (!s.ok()) {
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
  }
  std::mt19937 rng(9);
  const std::string good = Wrap(raw, raw.size());
  for (int i = 0; i < 500; ++i) {
    std::string bad = good;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    testing::GuardedBytes guarded(bad);
    std::string_view view = guarded.view();
    const Status st = DecodeInts(&view, &out);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
}

}  // namespace
}  // namespace kpi::codec
