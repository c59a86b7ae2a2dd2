// Entropy-coded int blocks (tags kIntHuffman4 and, read only, kIntHuffman;
// storage/codec/huffman_ints.cc): EncodeIntsCompressed picks them for values
// spread over many octaves (time gaps), DecodeInts reads them back exactly
// (int64 and uint32, one stream or four, any count), SkipInts steps over
// exactly the block, code lengths stay within the table's limit on skewed
// data, and truncated or damaged blocks are Corruption, never a crash or an
// over-read.
#include <gtest/gtest.h>

#include <zstd.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"
#include "storage/codec/codec_internal.h"

namespace kpi::codec {
namespace {

// Gaps like a ticket's: log-uniform over ms .. days, a few zero.
std::vector<int64_t> LogSpread(size_t n, uint32_t seed, int64_t offset = 0) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> v;
  for (size_t i = 0; i < n; ++i) {
    const int bits = static_cast<int>(rng() % 34);
    v.push_back(offset + (bits == 0 ? 0 : static_cast<int64_t>(rng() & ((uint64_t{1} << bits) - 1))));
  }
  return v;
}

// Decodes `block` (followed by a marker) as int64, as uint32 when `narrow`,
// and skips it; each must consume exactly the block.
void ExpectReadsBack(const std::string& block, const std::vector<int64_t>& values, bool narrow) {
  const std::string with_tail = block + "#";
  testing::GuardedBytes guarded(with_tail);
  std::string_view in = guarded.view();
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, values);
  EXPECT_EQ(in, "#");
  std::string_view skipped = guarded.view();
  ASSERT_TRUE(SkipInts(&skipped).ok());
  EXPECT_EQ(skipped, "#");
  std::string_view narrow_in = guarded.view();
  std::vector<uint32_t> small;
  Status s = DecodeInts(&narrow_in, &small);
  if (narrow) {
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(std::vector<int64_t>(small.begin(), small.end()), values);
  } else {
    EXPECT_EQ(s.code(), Status::Code::kCorruption);
  }
}

TEST(HuffmanIntsTest, SpreadGapsAreEntropyCodedAndReadBack) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<int64_t> values = LogSpread(1 + seed * 397, seed);
    std::string plain, block;
    EncodeInts(std::span<const int64_t>(values), &plain);
    const Encoding e = EncodeIntsCompressed(std::span<const int64_t>(values), &block);
    if (values.size() > 200) {
      EXPECT_EQ(e, Encoding::kIntHuffman4) << seed;
    }
    EXPECT_LE(block.size(), plain.size());
    const bool narrow = *std::max_element(values.begin(), values.end()) <= int64_t{UINT32_MAX};
    ExpectReadsBack(block, values, narrow);
  }
}

TEST(HuffmanIntsTest, EveryShapeRoundTrips) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<int64_t>> cases = {
      LogSpread(5000, 1, -1'000'000'000'000),  // negative minimum
      LogSpread(5000, 2, 1'700'000'000'000),   // epoch-like offsets
      {5, 5, 5, 5, 6},                         // two symbols
      {0, 1},
      {int64_t{1} << 47, 0, 3},  // the widest range entropy coding takes
      {INT64_MIN, INT64_MAX},    // too wide: never entropy coded
  };
  std::vector<int64_t> uniform;
  for (int i = 0; i < 4000; ++i) uniform.push_back(1 + static_cast<int64_t>(rng() % 105));  // batches
  cases.push_back(uniform);
  std::vector<int64_t> skewed;  // Fibonacci-like counts: unlimited Huffman codes would exceed 12 bits
  uint64_t count = 1, prev = 1;
  for (int sym = 0; sym < 24; ++sym) {
    for (uint64_t i = 0; i < count && skewed.size() < (1u << 20); ++i) skewed.push_back(int64_t{1} << sym);
    const uint64_t next = count + prev;
    prev = count;
    count = next;
  }
  std::shuffle(skewed.begin(), skewed.end(), rng);
  cases.push_back(skewed);
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::vector<int64_t>& values = cases[c];
    std::string block;
    EncodeIntsCompressed(std::span<const int64_t>(values), &block);
    bool narrow = true;
    for (int64_t v : values) narrow &= v >= 0 && v <= int64_t{UINT32_MAX};
    SCOPED_TRACE(c);
    ExpectReadsBack(block, values, narrow);
  }
}

TEST(HuffmanIntsTest, OneStreamBlocksStillRead) {
  // Tag kIntHuffman (one stream), as written before the interleaved form.
  for (size_t n : {1u, 2u, 3u, 5u, 700u, 4001u}) {
    const std::vector<int64_t> values = LogSpread(n, static_cast<uint32_t>(n));
    for (bool interleaved : {false, true}) {
      std::string block;
      ASSERT_TRUE(EncodeIntsHuffman(std::span<const int64_t>(values), SIZE_MAX, &block, interleaved)) << n;
      EXPECT_EQ(static_cast<uint8_t>(block[0]),
                static_cast<uint8_t>(interleaved ? Encoding::kIntHuffman4 : Encoding::kIntHuffman));
      SCOPED_TRACE(n);
      const bool narrow = *std::max_element(values.begin(), values.end()) <= int64_t{UINT32_MAX};
      ExpectReadsBack(block, values, narrow);
    }
  }
}

TEST(HuffmanIntsTest, TheWidestRangeItTakesRoundTrips) {
  std::mt19937_64 rng(5);
  std::vector<int64_t> values = {0, (int64_t{1} << 48) - 1};  // range 2^48 - 1: the widest
  for (int i = 0; i < 3000; ++i) values.push_back(static_cast<int64_t>(rng() & ((uint64_t{1} << (rng() % 48)) - 1)));
  std::string block;
  ASSERT_EQ(EncodeIntsCompressed(std::span<const int64_t>(values), &block), Encoding::kIntHuffman4);
  ExpectReadsBack(block, values, false);
  values.push_back(int64_t{1} << 48);  // one wider: packed instead
  block.clear();
  EXPECT_NE(EncodeIntsCompressed(std::span<const int64_t>(values), &block), Encoding::kIntHuffman4);
  ExpectReadsBack(block, values, false);
}

TEST(HuffmanIntsTest, Uint32ValuesRoundTrip) {
  std::mt19937 rng(3);
  std::vector<uint32_t> values;
  for (int i = 0; i < 3000; ++i) values.push_back(UINT32_MAX - static_cast<uint32_t>(rng() % (1u << (rng() % 30))));
  std::string block;
  EXPECT_EQ(EncodeIntsCompressed(std::span<const uint32_t>(values), &block), Encoding::kIntHuffman4);
  std::string_view in = block;
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeInts(&in, &out).ok());
  EXPECT_EQ(out, values);
  EXPECT_TRUE(in.empty());
}

TEST(HuffmanIntsTest, TruncatedBlocksAreRefusedWithoutMovingInput) {
  const std::vector<int64_t> values = LogSpread(2000, 5);
  std::string block;
  ASSERT_EQ(EncodeIntsCompressed(std::span<const int64_t>(values), &block), Encoding::kIntHuffman4);
  for (size_t cut = 0; cut < block.size(); cut += 1 + cut / 50) {
    testing::GuardedBytes truncated(block.substr(0, cut));
    std::string_view a = truncated.view(), b = truncated.view();
    std::vector<int64_t> out;
    EXPECT_FALSE(DecodeInts(&a, &out).ok()) << cut;
    EXPECT_EQ(a.size(), cut);
    EXPECT_FALSE(SkipInts(&b).ok()) << cut;
    EXPECT_EQ(b.size(), cut);
  }
}

TEST(HuffmanIntsTest, DamagedBlocksAreCorruptionNeverACrash) {
  const std::vector<int64_t> values = LogSpread(3000, 6);
  std::string block;
  ASSERT_EQ(EncodeIntsCompressed(std::span<const int64_t>(values), &block), Encoding::kIntHuffman4);
  std::mt19937 rng(11);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = block;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) bad[rng() % std::min<size_t>(bad.size(), i % 2 == 0 ? 48 : bad.size())] ^=
        static_cast<char>(1 + rng() % 255);
    testing::GuardedBytes guarded(bad);
    std::string_view in = guarded.view();
    std::vector<int64_t> out;
    Status s = DecodeInts(&in, &out);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Status::Code::kCorruption);
      ++refused;
    } else {
      EXPECT_LE(out.size(), kMaxBlockValues);
    }
    std::string_view skip = guarded.view();
    (void)SkipInts(&skip);
  }
  EXPECT_GT(refused, 0);
  // A zstd wrapper must not hold an entropy-coded block.
  std::string frame(ZSTD_compressBound(block.size()), '\0');
  const size_t size = ZSTD_compress(frame.data(), frame.size(), block.data(), block.size(), 3);
  ASSERT_FALSE(ZSTD_isError(size));
  std::string nested(1, static_cast<char>(Encoding::kIntZstd));
  PutVarint64(&nested, block.size());
  PutVarint64(&nested, size);
  nested.append(frame.data(), size);
  std::string_view in = nested;
  std::vector<int64_t> out;
  Status s = DecodeInts(&in, &out);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace kpi::codec
