// The per-kind counts of the LRU cache (storage/lru_cache.h KindStats, which
// the segment cache's Stats and MemoStats report: `kpi info`, /metrics)
// are kept as entries come, grow and go: after random sequences of inserts,
// replacing inserts, growth, claims, raises, evictions (the capacity, a
// scan's own room, a grown entry dropped) and erasures they equal a walk
// over every entry (LruCache::Count).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "storage/lru_cache.h"

namespace kpi::storage {
namespace {

using Cache = LruCache<int, int>;
constexpr int kKinds = 3;

uint8_t KindOf(int key) { return static_cast<uint8_t>(key % kKinds); }

void ExpectCountsMatchAWalk(const Cache& cache) {
  uint64_t entries = 0, bytes = 0;
  for (int kind = 0; kind < kKinds; ++kind) {
    const CacheStats kept = cache.KindStats(static_cast<uint8_t>(kind));
    const CacheStats walked = cache.Count([kind](const int& key) { return KindOf(key) == kind; });
    ASSERT_EQ(kept.entries, walked.entries) << "kind " << kind;
    ASSERT_EQ(kept.bytes, walked.bytes) << "kind " << kind;
    ASSERT_EQ(kept.capacity_bytes, walked.capacity_bytes);
    entries += kept.entries;
    bytes += kept.bytes;
  }
  ASSERT_EQ(entries, cache.Stats().entries);
  ASSERT_EQ(bytes, cache.Stats().bytes);
}

TEST(CacheKindCounts, EqualAWalkAfterRandomInsertsGrowthAndEvictions) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    Cache cache(200, KindOf);
    const auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    size_t evicting = 0;
    for (int step = 0; step < 3000; ++step) {
      const int key = pick(60);
      const uint64_t scan = static_cast<uint64_t>(pick(4));  // 0: unnamed
      const uint64_t before = cache.Stats().entries;
      switch (pick(6)) {
        case 0:
        case 1:  // insert or replace; some too large to keep, some filling the cache
          cache.Insert(key, std::make_shared<const int>(key), 1 + pick(pick(10) == 0 ? 250 : 30), scan,
                       static_cast<uint8_t>(pick(2)));
          break;
        case 2:
          if (auto held = cache.Peek(key)) cache.Grow(key, held.get(), 1 + pick(40));
          break;
        case 3:
          cache.Find(key, nullptr, scan);
          cache.Claim(pick(60), scan);
          break;
        case 4:
          cache.Raise(key, 1);
          break;
        default:
          if (pick(20) == 0) cache.EraseIf([&](const int& k) { return k % 7 == key % 7; });
          break;
      }
      evicting += cache.Stats().entries < before;
      ExpectCountsMatchAWalk(cache);
    }
    EXPECT_GT(evicting, 100u) << "the sequence hardly evicts: it proves little";
  }
}

TEST(CacheKindCounts, WithoutKindsEverythingIsKindZero) {
  Cache cache(10);
  cache.Insert(1, std::make_shared<const int>(1), 4);
  cache.Insert(2, std::make_shared<const int>(2), 5);
  cache.Insert(3, std::make_shared<const int>(3), 3);  // evicts 1
  EXPECT_EQ(cache.KindStats(0).entries, 2u);
  EXPECT_EQ(cache.KindStats(0).bytes, 8u);
  EXPECT_EQ(cache.KindStats(1).entries, 0u);
}

}  // namespace
}  // namespace kpi::storage
