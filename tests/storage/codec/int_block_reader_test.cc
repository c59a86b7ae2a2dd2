#include "storage/codec/int_block_reader.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"

namespace kpi::codec {
namespace {

std::vector<int64_t> Shaped(Encoding shape, size_t n, std::mt19937_64& rng) {
  std::vector<int64_t> v(n);
  int64_t acc = -1000;
  for (size_t i = 0; i < n; ++i) {
    switch (shape) {
      case Encoding::kIntConstant: v[i] = 42; break;
      case Encoding::kIntBitpacked: v[i] = static_cast<int64_t>(rng() % 100000); break;
      case Encoding::kIntRunLength: v[i] = static_cast<int64_t>(i / 100 % 3) * 1000; break;
      default: v[i] = acc += 1000 + static_cast<int64_t>(rng() % 50); break;
    }
  }
  return v;
}

// Chunked reading (Next) and one-pass reading (ReadAll) agree with the input
// for every encoding and for lengths around the chunk boundaries.
TEST(IntBlockReaderTest, ChunksMatchReadAll) {
  std::mt19937_64 rng(1);
  for (Encoding shape : {Encoding::kIntConstant, Encoding::kIntBitpacked, Encoding::kIntRunLength, Encoding::kIntDelta}) {
    for (size_t n : {2, 3, 255, 256, 257, 258, 512, 513, 514, 1000, 4097}) {
      const std::vector<int64_t> v = Shaped(shape, n, rng);
      std::string block;
      const Encoding chosen = EncodeInts(std::span<const int64_t>(v), &block);
      if (n >= 16) {
        ASSERT_EQ(chosen, shape) << "n " << n;  // tiny blocks may pick another encoding
      }
      testing::GuardedBytes guarded(block);

      std::string_view in = guarded.view();
      IntBlockReader chunked;
      ASSERT_TRUE(chunked.Open(&in).ok());
      EXPECT_TRUE(in.empty());
      ASSERT_EQ(chunked.size(), n);
      std::vector<int64_t> got;
      uint64_t chunk[IntBlockReader::kMaxChunk];
      for (size_t c; (c = chunked.Next(chunk)) != 0;) {
        ASSERT_LE(c, IntBlockReader::kMaxChunk);
        for (size_t i = 0; i < c; ++i) got.push_back(static_cast<int64_t>(chunk[i]));
      }
      EXPECT_EQ(got, v) << EncodingName(shape) << " n " << n;
      EXPECT_EQ(chunked.Next(chunk), 0u);

      in = guarded.view();
      IntBlockReader whole;
      ASSERT_TRUE(whole.Open(&in).ok());
      std::vector<uint64_t> all(n);
      whole.ReadAll(all.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<int64_t>(all[i]), v[i]);
    }
  }
}

TEST(IntBlockReaderTest, Uint32AndScaledDoublesAcrossChunks) {
  std::mt19937_64 rng(2);
  for (Encoding shape : {Encoding::kIntConstant, Encoding::kIntBitpacked, Encoding::kIntRunLength, Encoding::kIntDelta}) {
    for (size_t n : {256, 257, 600}) {
      const std::vector<int64_t> v = Shaped(shape, n, rng);
      std::vector<uint32_t> narrow;
      std::vector<double> decimals;
      for (int64_t x : v) {
        narrow.push_back(static_cast<uint32_t>(x + 1000));
        decimals.push_back(static_cast<double>(x) / 100.0);
      }
      std::string block;
      EncodeInts(std::span<const uint32_t>(narrow), &block);
      std::string_view in = block;
      std::vector<uint32_t> got;
      ASSERT_TRUE(DecodeInts(&in, &got).ok());
      EXPECT_EQ(got, narrow);

      block.clear();
      ASSERT_EQ(EncodeDoubles(decimals, &block), Encoding::kDoubleScaled);
      in = block;
      std::vector<double> got_d;
      ASSERT_TRUE(DecodeDoubles(&in, &got_d).ok());
      EXPECT_EQ(got_d, decimals);
    }
  }
}

TEST(IntBlockReaderTest, Uint32RangeCheckedInLaterChunks) {
  std::vector<int64_t> v(1000, 7);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i % 13);
  v[900] = -1;  // only the fourth chunk holds the bad value
  std::string block;
  EncodeInts(std::span<const int64_t>(v), &block);
  std::string_view in = block;
  std::vector<uint32_t> out;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(in.size(), block.size());
  v[900] = int64_t{UINT32_MAX} + 1;
  block.clear();
  EncodeInts(std::span<const int64_t>(v), &block);
  in = block;
  EXPECT_EQ(DecodeInts(&in, &out).code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace kpi::codec
