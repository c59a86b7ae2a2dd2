// SegmentMemo and MemoValues (storage/segment_memo.h): an empty handle
// keeps nothing, the first value kept under a key wins, a value the cache
// no longer charges is the last kept, copies and assignments of a Segment
// start with an empty handle; and a segment loaded through the
// decoded-segment cache has room for about twice its bytes, each kept
// value charged to the cache's entry of derived values (MemoCacheStats
// grows by it), while a store caching nothing (a one-statement kpi query)
// keeps no memo either.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/segment.h"
#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

std::shared_ptr<const int> Int(int v) { return std::make_shared<const int>(v); }

TEST(SegmentMemo, KeepsNothingWithoutCapacity) {
  SegmentMemo memo;
  EXPECT_FALSE(memo.HasRoom(1));
  EXPECT_EQ(memo.Keep("a", Int(1), 1), nullptr);
  EXPECT_EQ(memo.Find("a"), nullptr);
  EXPECT_EQ(memo.bytes(), 0u);
}

TEST(SegmentMemo, FirstValueWinsWithinCapacityAndIsCharged) {
  MemoValues memo({});
  size_t charged = 0;
  memo.SetAccounting(10, [&](size_t b) {
    charged += b;
    return true;
  });
  auto one = memo.Keep("a", Int(1), 4);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(*static_cast<const int*>(one.get()), 1);
  auto again = memo.Keep("a", Int(2), 4);  // an earlier value wins, nothing charged
  EXPECT_EQ(*static_cast<const int*>(again.get()), 1);
  EXPECT_EQ(charged, 4u);
  EXPECT_TRUE(memo.HasRoom(6));
  EXPECT_FALSE(memo.HasRoom(7));
  EXPECT_EQ(memo.Keep("b", Int(3), 7), nullptr);  // no room
  EXPECT_EQ(memo.Find("b"), nullptr);
  EXPECT_NE(memo.Keep("c", Int(4), 6), nullptr);
  EXPECT_EQ(memo.bytes(), 10u);
  EXPECT_EQ(charged, 10u);
}

TEST(SegmentMemo, ValuesTheCacheNoLongerHoldsKeepNothingMore) {
  MemoValues memo({});
  memo.SetAccounting(10, [](size_t) { return false; });  // evicted meanwhile
  ASSERT_NE(memo.Keep("a", Int(1), 1), nullptr);  // its reader has it
  EXPECT_NE(memo.Find("a"), nullptr);
  EXPECT_FALSE(memo.HasRoom(1));
  EXPECT_EQ(memo.Keep("b", Int(2), 1), nullptr);
}

TEST(SegmentMemo, CopiesOfASegmentStartEmpty) {
  auto values = [] {
    auto v = std::make_shared<MemoValues>(std::vector<uint32_t>{});
    v->SetAccounting(100, [](size_t) { return true; });
    return v;
  };
  Segment s;
  s.memo.Attach(values());
  ASSERT_NE(s.memo.Keep("a", Int(1), 1), nullptr);
  Segment copy = s;
  EXPECT_EQ(copy.memo.Find("a"), nullptr);
  EXPECT_FALSE(copy.memo.HasRoom(1));
  Segment assigned;
  assigned.memo.Attach(values());
  ASSERT_NE(assigned.memo.Keep("b", Int(2), 1), nullptr);
  assigned = Segment{};
  EXPECT_EQ(assigned.memo.Find("b"), nullptr);
  EXPECT_FALSE(assigned.memo.HasRoom(1));
}

// A store of 200 random tickets in segments of 50, reopened with a
// decoded-segment cache of `cache_bytes`.
void OpenWithTickets(const ScratchDir& dir, size_t cache_bytes, std::unique_ptr<Store>* store) {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 50;
  ASSERT_TRUE(Store::Open(dir.path(), o, store).ok());
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE((*store)->Ingest(RandomEvents(7, 200), &rejects, &stats).ok());
  store->reset();
  o.cache_bytes = cache_bytes;
  ASSERT_TRUE(Store::Open(dir.path(), o, store).ok());
}

TEST(SegmentMemo, CachedSegmentsChargeTheirMemoToTheCache) {
  ScratchDir dir("segment-memo");
  std::unique_ptr<Store> store;
  OpenWithTickets(dir, StoreOptions{}.cache_bytes, &store);
  auto snap = store->GetSnapshot();
  const std::vector<SegmentRef> refs = snap->Plan(ScanSpec{}, nullptr);
  ASSERT_FALSE(refs.empty());
  std::shared_ptr<const Segment> seg;
  ASSERT_TRUE(snap->Load(refs[0], &seg).ok());
  const size_t before = store->MemoCacheStats().bytes;
  const size_t columns = store->SegmentCacheStats().bytes;
  const size_t room = 2 * seg->MemoryBytes() + (16 << 10);  // storage/segment_cache.h Insert
  EXPECT_TRUE(seg->memo.HasRoom(room));
  EXPECT_FALSE(seg->memo.HasRoom(room + 1));
  ASSERT_NE(seg->memo.Keep("k", Int(5), 100), nullptr);
  EXPECT_EQ(store->MemoCacheStats().bytes, before + 100);
  EXPECT_EQ(store->SegmentCacheStats().bytes, columns);
  // A later load of the same segment is the same object, memo included.
  std::shared_ptr<const Segment> again;
  ASSERT_TRUE(snap->Load(refs[0], &again).ok());
  EXPECT_EQ(again.get(), seg.get());
  ASSERT_NE(again->memo.Find("k"), nullptr);
}

TEST(SegmentMemo, ASegmentTheCacheDoesNotKeepKeepsNoMemo) {
  ScratchDir dir("segment-memo-uncached");
  std::unique_ptr<Store> store;
  OpenWithTickets(dir, 0, &store);  // what kpi query gives a one-statement process (cli/store_open.h)
  auto snap = store->GetSnapshot();
  const std::vector<SegmentRef> refs = snap->Plan(ScanSpec{}, nullptr);
  ASSERT_FALSE(refs.empty());
  std::shared_ptr<const Segment> seg;
  ASSERT_TRUE(snap->Load(refs[0], &seg).ok());
  EXPECT_FALSE(seg->memo.HasRoom(1));
  EXPECT_EQ(seg->memo.Keep("k", Int(5), 1), nullptr);
  std::shared_ptr<const Segment> again;
  ASSERT_TRUE(snap->Load(refs[0], &again).ok());
  EXPECT_NE(again.get(), seg.get());  // decoded again: nothing was cached
  EXPECT_EQ(store->SegmentCacheStats().bytes, 0u);
  EXPECT_EQ(store->MemoCacheStats().bytes, 0u);
}

}  // namespace
}  // namespace kpi::storage
