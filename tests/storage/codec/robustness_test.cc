// Hostile input: every truncation of a valid block, mutated blocks and random
// bytes must decode to Corruption (or OK with self-consistent output) without
// crashing or reading past the view (GuardedBytes faults on any over-read).
#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "guarded_bytes.h"
#include "storage/codec/codec.h"

namespace kpi::codec {
namespace {

constexpr uint32_t kNumRows = 3000;

// Decodes with every decoder; checks the outcome is OK or Corruption, that a
// failure consumes nothing, and that successful output is sane.
void DecodeAll(std::string_view bytes) {
  testing::GuardedBytes guarded(bytes);
  const std::string_view view = guarded.view();
  auto check = [&](const Status& s, std::string_view in) {
    if (s.ok()) {
      EXPECT_LE(in.size(), view.size());
    } else {
      EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
      EXPECT_EQ(in.size(), view.size());
    }
  };
  {
    std::string_view in = view;
    std::vector<int64_t> out;
    Status s = DecodeInts(&in, &out);
    check(s, in);
    if (s.ok()) {
      EXPECT_LE(out.size(), kMaxBlockValues);
    }
  }
  {
    std::string_view in = view;
    std::vector<uint32_t> out;
    check(DecodeInts(&in, &out), in);
  }
  {
    std::string_view in = view;
    std::vector<double> out;
    check(DecodeDoubles(&in, &out), in);
  }
  {
    std::string_view in = view;
    std::vector<std::string> out;
    Status s = DecodeStrings(&in, &out);
    check(s, in);
    if (s.ok()) {
      EXPECT_LE(out.size(), kMaxBlockStrings);
      const bool plain = static_cast<uint8_t>(view[0]) == static_cast<uint8_t>(Encoding::kStrings);
      size_t total = 0;
      for (const auto& str : out) {
        total += str.size();
        if (!plain) {
          EXPECT_LE(str.size(), 64u + 18u);  // numbered: prefix cap + digits
        }
      }
      if (plain) {
        EXPECT_LE(total, view.size());  // plain strings are copied from the block
      }
    }
  }
  {
    std::string_view in = view;
    std::vector<uint32_t> rows;
    Status s = DecodePresence(&in, kNumRows, &rows);
    check(s, in);
    if (s.ok()) {
      for (size_t i = 0; i < rows.size(); ++i) {
        ASSERT_LT(rows[i], kNumRows);
        if (i > 0) {
          ASSERT_LT(rows[i - 1], rows[i]);
        }
      }
    }
  }
}

// A varied set of valid blocks of every kind.
std::vector<std::string> ValidBlocks() {
  std::mt19937_64 rng(11);
  std::vector<std::string> blocks;
  auto ints = [&](const std::vector<int64_t>& v) {
    blocks.emplace_back();
    EncodeInts(std::span<const int64_t>(v), &blocks.back());
  };
  ints({});
  ints({7});
  ints({INT64_MIN, INT64_MAX, 0});
  std::vector<int64_t> v;
  for (int i = 0; i < 300; ++i) v.push_back(static_cast<int64_t>(rng() % 5000));
  ints(v);  // bitpacked
  v.clear();
  for (int i = 0; i < 300; ++i) v.push_back(i / 40);
  ints(v);  // run-length
  v.clear();
  for (int i = 0; i < 300; ++i) v.push_back(1700000000000 + i * 1000 + static_cast<int64_t>(rng() % 7));
  ints(v);  // delta
  v.clear();
  for (int i = 0; i < 100; ++i) v.push_back(static_cast<int64_t>(rng()));
  ints(v);  // 64-bit wide
  v.clear();
  for (int i = 0; i < 400; ++i) v.push_back(i % 50 == 7 ? 300000000 + i : static_cast<int64_t>(rng() % 1000));
  ints(v);  // patched: a few outliers

  auto doubles = [&](const std::vector<double>& d) {
    blocks.emplace_back();
    EncodeDoubles(d, &blocks.back());
  };
  doubles({});
  doubles({1.25, 2.5, 100.75, -3.0, 0.5, 7.0, 8.0, 9.0});
  doubles({0.1, 1.0 / 3.0});

  blocks.emplace_back();
  EncodeStrings(std::vector<std::string>{"INC001", "", "a longer ticket id", "x"}, &blocks.back());
  blocks.emplace_back();
  EncodeStrings(std::vector<std::string>{}, &blocks.back());
  blocks.emplace_back();
  EncodeStrings(std::vector<std::string>{"INC0001", "INC0002", "INC0107"}, &blocks.back());  // numbered

  auto presence = [&](double density) {
    std::vector<uint32_t> rows;
    for (uint32_t r = 0; r < kNumRows; ++r) {
      if (std::bernoulli_distribution(density)(rng)) rows.push_back(r);
    }
    blocks.emplace_back();
    EncodePresence(rows, kNumRows, &blocks.back());
  };
  presence(0.0);
  presence(0.01);
  presence(0.5);
  presence(1.0);
  return blocks;
}

TEST(RobustnessTest, ValidBlocksCoverEveryEncoding) {
  std::vector<uint8_t> tags;
  for (const std::string& block : ValidBlocks()) tags.push_back(static_cast<uint8_t>(block[0]));
  for (Encoding e : {Encoding::kIntConstant, Encoding::kIntBitpacked, Encoding::kIntRunLength, Encoding::kIntDelta,
                     Encoding::kIntPatched, Encoding::kDoubleScaled, Encoding::kDoublePlain, Encoding::kStrings,
                     Encoding::kStringsNumbered, Encoding::kPresenceBitmap, Encoding::kPresenceRows}) {
    EXPECT_NE(std::find(tags.begin(), tags.end(), static_cast<uint8_t>(e)), tags.end()) << EncodingName(e);
  }
}

TEST(RobustnessTest, EveryTruncationOfAValidBlockIsCorruption) {
  for (const std::string& block : ValidBlocks()) {
    for (size_t len = 0; len < block.size(); ++len) {
      const std::string_view prefix(block.data(), len);
      DecodeAll(prefix);
      testing::GuardedBytes guarded(prefix);
      std::string_view in = guarded.view();
      Status s;
      std::vector<int64_t> ints;
      std::vector<double> doubles;
      std::vector<std::string> strings;
      std::vector<uint32_t> rows;
      const uint8_t tag = static_cast<uint8_t>(block[0]);
      if (tag < 16) {
        s = DecodeInts(&in, &ints);
      } else if (tag < 32) {
        s = DecodeDoubles(&in, &doubles);
      } else if (tag < 48) {
        s = DecodeStrings(&in, &strings);
      } else {
        s = DecodePresence(&in, kNumRows, &rows);
      }
      ASSERT_EQ(s.code(), Status::Code::kCorruption)
          << "tag " << int{tag} << " cut at " << len << " of " << block.size();
    }
  }
}

TEST(RobustnessTest, MutatedBlocksNeverCrash) {
  std::mt19937_64 rng(12);
  for (const std::string& block : ValidBlocks()) {
    for (int iter = 0; iter < 300; ++iter) {
      std::string bad = block;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips && !bad.empty(); ++f) {
        bad[rng() % bad.size()] = static_cast<char>(rng());
      }
      DecodeAll(bad);
    }
  }
}

TEST(RobustnessTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(13);
  const uint8_t tags[] = {1, 2, 3, 4, 5, 16, 17, 32, 33, 48, 49};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes(rng() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    // Mostly valid tags and small counts, so the payload parsers get exercised.
    if (!bytes.empty() && iter % 4 != 0) bytes[0] = static_cast<char>(tags[rng() % std::size(tags)]);
    if (bytes.size() > 1 && iter % 2 == 0) bytes[1] = static_cast<char>(rng() % 128);
    DecodeAll(bytes);
  }
}

}  // namespace
}  // namespace kpi::codec
