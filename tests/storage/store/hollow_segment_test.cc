// Values derived from segments outlive the decoded columns
// (storage/segment_cache.h, storage/segment_memo.h): a store whose cache is
// too small for any segment's columns keeps every segment's memo; a load
// allowing hollow segments then gets each segment's ticket structure and
// memo without decoding it, and its columns, decoded on Materialize(), are
// those a plain load decodes. A rewritten segment (a new generation) is
// never served the old version's values. A hollow segment holds its
// snapshot until decoded or dropped, so it decodes the version that
// snapshot saw after the caller dropped it. Also the ranks of the LRU cache:
// a scan keeps its higher-ranked entries over its own lower-ranked ones.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/lru_cache.h"
#include "storage/store.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::ScratchDir;

constexpr int64_t kT0 = 1'700'000'000'000;

std::vector<RawEvent> Tickets(int from, int to, const std::string& event) {
  std::vector<RawEvent> out;
  for (int i = from; i < to; ++i) {
    RawEvent e;
    e.ts_ms = kT0 + i * 1000 + (event == "created" ? 0 : 500);
    e.ticket = "T" + std::to_string(i);
    e.event = event;
    e.dims = {{"channel", i % 2 ? "chat" : "email"}};
    out.push_back(e);
  }
  return out;
}

std::unique_ptr<Store> OpenStore(const std::string& dir, size_t cache_bytes) {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 200;
  o.cache_bytes = cache_bytes;
  std::unique_ptr<Store> store;
  EXPECT_TRUE(Store::Open(dir, o, &store).ok());
  return store;
}

void Ingest(Store* store, const std::vector<RawEvent>& events) {
  std::vector<EventReject> rejects;
  IngestStats stats;
  ASSERT_TRUE(store->Ingest(events, &rejects, &stats).ok());
}

// Loads every segment of `snap` (hollow when allowed); keeps under "n"
// each one's ticket count in its memo when it has none there. A hollow
// segment decodes through its snapshot, a share of which it holds.
std::vector<std::shared_ptr<const Segment>> LoadAll(const std::shared_ptr<const Snapshot>& snap, bool hollow_ok,
                                                    std::vector<SegmentRef>* refs_out = nullptr) {
  std::vector<SegmentRef> refs = snap->Plan(ScanSpec{}, nullptr);
  std::vector<std::shared_ptr<const Segment>> out;
  for (const SegmentRef& ref : refs) {
    std::shared_ptr<const Segment> seg;
    EXPECT_TRUE(snap->Load(ref, SegmentColumns::All(), hollow_ok, &seg).ok());
    if (seg->memo.Find("n") == nullptr)
      seg->memo.Keep("n", std::make_shared<const uint32_t>(seg->num_tickets()), 8);
    out.push_back(seg);
  }
  if (refs_out != nullptr) *refs_out = refs;
  return out;
}

TEST(HollowSegments, TheMemoOutlivesColumnsTooLargeToCache) {
  ScratchDir dir("hollow");
  // 16 KB: no segment's columns (200 tickets, with their ids) fit, every
  // memo (its ticket structure, ~1 KB) does.
  auto store = OpenStore(dir.path(), 16 << 10);
  Ingest(store.get(), Tickets(0, 1000, "created"));
  Ingest(store.get(), Tickets(0, 1000, "agent_reply"));
  const auto first = LoadAll(store->GetSnapshot(), false);
  ASSERT_GE(first.size(), 5u);
  for (const auto& seg : first) {
    EXPECT_FALSE(seg->memo.hollow());
    EXPECT_GT(seg->MemoryBytes(), size_t{16} << 10);
    ASSERT_NE(seg->memo.Find("n"), nullptr) << "the memo is kept without the columns";
  }
  EXPECT_EQ(store->SegmentCacheStats().entries, 0u);
  const CacheStats before = store->MemoCacheStats();
  EXPECT_EQ(before.entries, first.size());
  EXPECT_GT(before.bytes, 0u);
  EXPECT_LE(before.bytes, before.capacity_bytes);

  // The repeat: hollow segments, the values found, nothing decoded.
  const auto snap = store->GetSnapshot();
  const auto second = LoadAll(snap, true);
  ASSERT_EQ(second.size(), first.size());
  for (size_t i = 0; i < second.size(); ++i) {
    const Segment& h = *second[i];
    EXPECT_TRUE(h.memo.hollow());
    EXPECT_EQ(h.columns, SegmentColumns());
    EXPECT_EQ(h.event_begin, first[i]->event_begin);
    EXPECT_TRUE(h.time_ms.empty());
    auto n = h.memo.Find("n");
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(*static_cast<const uint32_t*>(n.get()), first[i]->num_tickets());
  }
  CacheStats after = store->MemoCacheStats();
  EXPECT_EQ(after.hits, before.hits + second.size());
  EXPECT_EQ(after.misses, before.misses);

  // Materialized, a hollow segment holds what a plain load decodes.
  const Segment& h = *second[0];
  h.memo.Materialize();
  EXPECT_TRUE(h.memo.status().ok());
  EXPECT_FALSE(h.memo.hollow());
  const Segment& full = *first[0];
  EXPECT_EQ(h.columns, full.columns);
  EXPECT_EQ(h.event_begin, full.event_begin);
  EXPECT_EQ(h.time_ms, full.time_ms);
  EXPECT_EQ(h.event_code, full.event_code);
  EXPECT_EQ(h.ticket_ids, full.ticket_ids);
  ASSERT_EQ(h.dims.size(), full.dims.size());
  EXPECT_EQ(h.dims[0].codes, full.dims[0].codes);
  EXPECT_NE(h.memo.Find("n"), nullptr);  // the memo stays
  after = store->MemoCacheStats();
  EXPECT_EQ(after.hits, before.hits + second.size() - 1) << "a decoded hollow segment is a miss";
  EXPECT_EQ(after.misses, before.misses + 1);

  // Without hollow allowed: decoded as ever.
  for (const auto& seg : LoadAll(store->GetSnapshot(), false)) EXPECT_FALSE(seg->memo.hollow());
}

TEST(HollowSegments, ARewrittenSegmentIsNeverServedTheOldValues) {
  ScratchDir dir("hollow-rewrite");
  auto store = OpenStore(dir.path(), 16 << 10);
  Ingest(store.get(), Tickets(0, 1000, "created"));
  Ingest(store.get(), Tickets(0, 1000, "agent_reply"));  // columns too large to cache, as above
  std::vector<SegmentRef> old_refs;
  LoadAll(store->GetSnapshot(), false, &old_refs);  // each memo keeps "n"
  // Replies to a few tickets rewrite their segments (new generations).
  Ingest(store.get(), Tickets(0, 3, "resolved"));
  auto snap = store->GetSnapshot();
  const std::vector<SegmentRef> refs = snap->Plan(ScanSpec{}, nullptr);
  ASSERT_EQ(refs.size(), old_refs.size());
  int rewritten = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    std::shared_ptr<const Segment> seg;
    ASSERT_TRUE(snap->Load(refs[i], SegmentColumns::All(), true, &seg).ok());
    if (refs[i].generation == old_refs[i].generation) {
      EXPECT_TRUE(seg->memo.hollow());
      EXPECT_NE(seg->memo.Find("n"), nullptr);
      continue;
    }
    ++rewritten;
    EXPECT_EQ(seg->memo.Find("n"), nullptr) << "the old version's values";
    seg->memo.Materialize();  // hollow or not: the new version's columns
    EXPECT_GT(seg->num_events(), 2 * seg->num_tickets());
    EXPECT_EQ(seg->time_ms.size(), seg->num_events());
  }
  EXPECT_GE(rewritten, 1);
}

TEST(HollowSegments, AHollowSegmentHoldsItsSnapshotUntilDecoded) {
  ScratchDir dir("hollow-snapshot");
  auto store = OpenStore(dir.path(), 16 << 10);
  Ingest(store.get(), Tickets(0, 1000, "created"));
  Ingest(store.get(), Tickets(0, 1000, "agent_reply"));  // columns too large to cache, as above
  const auto first = LoadAll(store->GetSnapshot(), false);
  std::weak_ptr<const Snapshot> loaded_by;
  std::vector<std::shared_ptr<const Segment>> hollow;
  {
    auto snap = store->GetSnapshot();
    loaded_by = snap;
    hollow = LoadAll(snap, true);
  }  // the caller's share dropped
  ASSERT_EQ(hollow.size(), first.size());
  EXPECT_FALSE(loaded_by.expired()) << "a hollow segment must keep the snapshot it decodes through";
  // A rewrite after the snapshot: the hollow segment still decodes the
  // version its snapshot saw.
  Ingest(store.get(), Tickets(0, 3, "resolved"));
  for (size_t i = 0; i < hollow.size(); ++i) {
    ASSERT_TRUE(hollow[i]->memo.hollow());
    hollow[i]->memo.Materialize();
    ASSERT_TRUE(hollow[i]->memo.status().ok());
    EXPECT_EQ(hollow[i]->time_ms, first[i]->time_ms);
    EXPECT_EQ(hollow[i]->ticket_ids, first[i]->ticket_ids);
  }
  EXPECT_TRUE(loaded_by.expired()) << "decoded, a hollow segment lets its snapshot go";
  // Dropped without being decoded, it lets it go too.
  {
    auto snap = store->GetSnapshot();
    loaded_by = snap;
    hollow = LoadAll(snap, true);
  }
  size_t still_hollow = 0;
  for (const auto& seg : hollow) still_hollow += seg->memo.hollow();
  ASSERT_GT(still_hollow, 0u);
  EXPECT_FALSE(loaded_by.expired());
  hollow.clear();
  EXPECT_TRUE(loaded_by.expired());
}

TEST(HollowSegments, AScanKeepsItsHigherRankedEntriesOverItsOwnLowerOnes) {
  LruCache<int, int> cache(10);
  for (int k = 0; k < 10; ++k) EXPECT_TRUE(cache.Insert(k, std::make_shared<const int>(k), 1, 1));
  // Rank 0, the scan's own entries only: not kept.
  EXPECT_FALSE(cache.Insert(10, std::make_shared<const int>(10), 1, 1));
  // Rank 1: the scan's least recent rank-0 entries make room.
  EXPECT_TRUE(cache.Insert(20, std::make_shared<const int>(20), 2, 1, 1));
  EXPECT_EQ(cache.Peek(0), nullptr);
  EXPECT_EQ(cache.Peek(1), nullptr);
  EXPECT_NE(cache.Peek(2), nullptr);
  // Growing, it evicts rank 0 of its scan too, never another rank-1 entry.
  EXPECT_TRUE(cache.Insert(21, std::make_shared<const int>(21), 1, 1, 1));
  EXPECT_EQ(cache.Peek(2), nullptr);
  const auto twenty = cache.Peek(20);
  EXPECT_TRUE(cache.Grow(20, twenty.get(), 7));  // 9 + 1 + 2 + 7 > 10: rank 0 goes, oldest first
  EXPECT_NE(cache.Peek(21), nullptr);
  EXPECT_EQ(cache.Stats().bytes, 10u);
  EXPECT_EQ(cache.Stats().entries, 2u);
  // Only rank-1 entries of its scan are left: growing further drops the grown one.
  EXPECT_FALSE(cache.Grow(20, twenty.get(), 1));
  EXPECT_EQ(cache.Peek(20), nullptr);
  EXPECT_NE(cache.Peek(21), nullptr);
}

}  // namespace
}  // namespace kpi::storage
