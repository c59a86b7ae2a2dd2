// Scan resistance of the decoded-segment cache (storage/lru_cache.h,
// storage/segment_cache.h): a scan reading more than the capacity keeps what
// fits and hits it when repeated (a plain LRU evicts every entry just before
// it is read again and hits nothing), in any order once it claimed what it
// reads; other scans' entries are evicted least recent first; a scan's
// growing entry is dropped rather than its other entries; and statements
// (one snapshot each) reading every segment of a store three times their
// cache hit on the repeat, read forwards or backwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "storage/lru_cache.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

using IntCache = LruCache<int, int>;

// Reads keys 0..n-1 as `scan`, inserting each miss (1 byte each); returns the hits.
int ReadAll(IntCache* cache, int n, uint64_t scan) {
  int hits = 0;
  for (int k = 0; k < n; ++k) {
    if (cache->Find(k, nullptr, scan) != nullptr) {
      ++hits;
      continue;
    }
    cache->Insert(k, std::make_shared<const int>(k), 1, scan);
  }
  return hits;
}

TEST(ScanResistantCache, PlainLruHitsNothingWhenAScanIsLargerThanIt) {
  IntCache cache(10);
  ReadAll(&cache, 20, 0);
  EXPECT_EQ(ReadAll(&cache, 20, 0), 0);  // why scans are named
}

TEST(ScanResistantCache, AScanLargerThanTheCacheKeepsWhatFitsAndHitsItOnRepeat) {
  IntCache cache(10);
  EXPECT_EQ(ReadAll(&cache, 20, 1), 0);
  EXPECT_EQ(cache.Stats().entries, 10u);
  EXPECT_NE(cache.Peek(0), nullptr);  // the first ten stayed
  EXPECT_EQ(cache.Peek(19), nullptr);
  EXPECT_EQ(ReadAll(&cache, 20, 2), 10);  // the repeat, a new scan
  EXPECT_EQ(ReadAll(&cache, 20, 3), 10);
  EXPECT_EQ(cache.Stats().bytes, 10u);
}

TEST(ScanResistantCache, AClaimingScanHitsWhatWasKeptInAnyOrder) {
  IntCache cache(10);
  ReadAll(&cache, 20, 1);  // keys 0..9 kept
  // Backwards, unclaimed: misses on 19..10 evict scan 1's entries first.
  IntCache unclaimed(10);
  ReadAll(&unclaimed, 20, 1);
  int hits = 0;
  for (int k = 19; k >= 0; --k) {
    if (unclaimed.Find(k, nullptr, 2) != nullptr) ++hits;
    else unclaimed.Insert(k, std::make_shared<const int>(k), 1, 2);
  }
  EXPECT_EQ(hits, 0);
  // Claimed first, the same backwards scan hits all ten.
  for (int k = 0; k < 20; ++k) cache.Claim(k, 2);
  hits = 0;
  for (int k = 19; k >= 0; --k) {
    if (cache.Find(k, nullptr, 2) != nullptr) ++hits;
    else EXPECT_FALSE(cache.Insert(k, std::make_shared<const int>(k), 1, 2));
  }
  EXPECT_EQ(hits, 10);
  EXPECT_EQ(cache.Stats().hits, 10u);  // a claim is not a hit
}

TEST(ScanResistantCache, AGrowingEntryIsDroppedRatherThanItsScansOthers) {
  IntCache cache(10);
  ReadAll(&cache, 10, 1);
  const auto five = cache.Peek(5);
  cache.Grow(5, five.get(), 1);  // only scan 1's entries: the grown one goes
  EXPECT_EQ(cache.Peek(5), nullptr);
  EXPECT_EQ(cache.Stats().entries, 9u);
  EXPECT_EQ(cache.Stats().bytes, 9u);
  EXPECT_TRUE(cache.Insert(50, std::make_shared<const int>(50), 1, 2));
  const auto fifty = cache.Peek(50);
  cache.Grow(50, fifty.get(), 2);  // scan 2's entry grows: scan 1's least recent go
  EXPECT_NE(cache.Peek(50), nullptr);
  EXPECT_EQ(cache.Peek(0), nullptr);
  EXPECT_EQ(cache.Peek(1), nullptr);
  EXPECT_NE(cache.Peek(2), nullptr);
  EXPECT_EQ(cache.Stats().bytes, 10u);
}

TEST(ScanResistantCache, OtherScansEntriesAreEvictedLeastRecentFirst) {
  IntCache cache(10);
  ReadAll(&cache, 10, 1);                // keys 0..9, scan 1
  ASSERT_NE(cache.Find(0, nullptr, 2), nullptr);  // key 0 becomes the most recent
  EXPECT_TRUE(cache.Insert(100, std::make_shared<const int>(100), 2, 3));
  EXPECT_EQ(cache.Peek(1), nullptr);  // the two least recent went
  EXPECT_EQ(cache.Peek(2), nullptr);
  EXPECT_NE(cache.Peek(0), nullptr);
  EXPECT_NE(cache.Peek(3), nullptr);
  EXPECT_EQ(cache.Stats().bytes, 10u);
  // Scan 3's own entry is not evicted for scan 3: a value needing it is not kept.
  for (int k = 0; k < 10; ++k) cache.Find(k, nullptr, 3);
  EXPECT_FALSE(cache.Insert(200, std::make_shared<const int>(200), 1, 3));
  EXPECT_EQ(cache.Peek(200), nullptr);
  EXPECT_NE(cache.Peek(100), nullptr);
  // Unnamed inserts evict as a plain LRU does: key 100 is the least recent.
  EXPECT_TRUE(cache.Insert(300, std::make_shared<const int>(300), 1));
  EXPECT_NE(cache.Peek(300), nullptr);
  EXPECT_EQ(cache.Peek(100), nullptr);
  EXPECT_EQ(cache.Stats().bytes, 9u);
}

TEST(ScanResistantCache, RepeatedStatementsOverAStoreThreeTimesTheCacheHit) {
  ScratchDir dir("scan-resistant");
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 50;
  size_t decoded = 0;  // every segment decoded, in bytes
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(RandomEvents(11, 2000), &rejects, &stats).ok());
    auto snap = store->GetSnapshot();
    for (const SegmentRef& ref : snap->Plan(ScanSpec{}, nullptr)) {
      std::shared_ptr<const Segment> seg;
      ASSERT_TRUE(snap->Load(ref, &seg).ok());
      decoded += seg->MemoryBytes();
    }
  }
  o.cache_bytes = decoded / 3;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  auto statement = [&](bool backwards) {  // one snapshot reading every segment
    auto snap = store->GetSnapshot();
    std::vector<SegmentRef> refs = snap->Plan(ScanSpec{}, nullptr);
    if (backwards) std::reverse(refs.begin(), refs.end());
    for (const SegmentRef& ref : refs) {
      std::shared_ptr<const Segment> seg;
      EXPECT_TRUE(snap->Load(ref, &seg).ok());
    }
    return refs.size();
  };
  const size_t segments = statement(false);
  ASSERT_GE(segments, 30u);
  EXPECT_EQ(store->SegmentCacheStats().hits, 0u);
  statement(false);
  const CacheStats second = store->SegmentCacheStats();
  // About a third of the segments fit; each of them hits on the repeat.
  EXPECT_GE(second.hits, segments / 4);
  EXPECT_LE(second.bytes, second.capacity_bytes);
  statement(true);  // the kept segments come last: still all hit
  EXPECT_EQ(store->SegmentCacheStats().hits, 2 * second.hits);
}

}  // namespace
}  // namespace kpi::storage
