// Store::EstimateSeal: what a seal would re-encode, which `kpi ingest` uses to
// defer seals while arrival is scattered. And the merge's arrival-order
// rules hold however the staged events are split into seals.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "storage/store.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::DumpStore;
using kpi::testing::RandomEvents;
using kpi::testing::ScratchDir;

StoreOptions Options(uint32_t max_deltas = 0) {
  StoreOptions o;
  o.sync = false;
  o.max_tickets_per_segment = 5;
  o.max_deltas_per_segment = max_deltas;  // 0: every seal rewrites what it touches
  return o;
}

Status StageAll(Store* store, std::span<const RawEvent> events) {
  std::vector<EventReject> rejects;
  IngestStats stats;
  return store->Stage(events, &rejects, &stats);
}

TEST(SealEstimateTest, CountsTheSealedEventsOfTouchedSegmentsOnly) {
  for (uint32_t max_deltas : {0u, 16u}) {
    SCOPED_TRACE("max_deltas_per_segment " + std::to_string(max_deltas));
    std::vector<RawEvent> events = RandomEvents(5, 60, 10);
    ScratchDir dir;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(max_deltas), &store).ok());
    Store::SealEstimate empty;
    ASSERT_TRUE(store->EstimateSeal(&empty).ok());
    EXPECT_EQ(empty.staged, 0u);
    EXPECT_EQ(empty.rewrite, 0u);

    ASSERT_TRUE(StageAll(store.get(), events).ok());
    Store::SealEstimate first;
    ASSERT_TRUE(store->EstimateSeal(&first).ok());
    EXPECT_EQ(first.staged, events.size());
    EXPECT_EQ(first.rewrite, 0u);  // nothing sealed yet
    IngestStats stats;
    ASSERT_TRUE(store->Seal(&stats).ok());

    // One late event for one ticket: the estimate is that ticket's segment.
    RawEvent late = events[0];
    late.ts_ms += 3600000;
    late.event = "note";
    ASSERT_TRUE(StageAll(store.get(), std::span<const RawEvent>(&late, 1)).ok());
    Store::SealEstimate one;
    ASSERT_TRUE(store->EstimateSeal(&one).ok());
    EXPECT_EQ(one.staged, 1u);
    EXPECT_GT(one.rewrite, 0u);
    EXPECT_LT(one.rewrite, events.size());
    IngestStats late_stats;
    ASSERT_TRUE(store->Seal(&late_stats).ok());
    // + the late event itself. With delta parts the segment takes it as a
    // delta: nothing is re-encoded, but the estimate (what a seal decodes)
    // still counts the segment.
    EXPECT_EQ(late_stats.events_rewritten, max_deltas == 0 ? one.rewrite + 1 : 0);

    // Everything again: every segment is touched.
    ASSERT_TRUE(StageAll(store.get(), events).ok());
    Store::SealEstimate all;
    ASSERT_TRUE(store->EstimateSeal(&all).ok());
    EXPECT_EQ(all.rewrite, events.size() + 1);
  }
}

// Before anything is sealed, scattered arrival shows within the staged
// batches: shuffled, the later half's tickets are mostly the earlier half's
// (split_rewrite well over a quarter of split_later); in time order, only
// tickets open across the middle are.
TEST(SealEstimateTest, TheSplitOfTheStagedBatchesShowsScatteredArrival) {
  for (bool shuffled : {false, true}) {
    SCOPED_TRACE(shuffled ? "shuffled" : "time order");
    std::vector<RawEvent> events = RandomEvents(9, 400, 60);
    if (shuffled) {
      std::mt19937_64 rng(9);
      std::shuffle(events.begin(), events.end(), rng);
    } else {
      std::stable_sort(events.begin(), events.end(),
                       [](const RawEvent& a, const RawEvent& b) { return a.ts_ms < b.ts_ms; });
    }
    ScratchDir dir;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(), &store).ok());
    for (size_t i = 0; i < events.size(); i += 100)
      ASSERT_TRUE(
          StageAll(store.get(), std::span<const RawEvent>(events).subspan(i, std::min<size_t>(100, events.size() - i)))
              .ok());
    Store::SealEstimate estimate;
    ASSERT_TRUE(store->EstimateSeal(&estimate).ok());
    EXPECT_EQ(estimate.rewrite, 0u);  // nothing sealed
    EXPECT_GT(estimate.split_later, events.size() / 3);
    if (shuffled) {
      EXPECT_GT(4 * estimate.split_rewrite, estimate.split_later);
    } else {
      EXPECT_LT(10 * estimate.split_rewrite, estimate.split_later);
    }
  }
}

// Shuffled arrival with duplicates, sealed every few events or all at once:
// the same store, event for event (codes follow first appearance, so every
// store sees the same arrival order).
TEST(SealEstimateTest, ScatteredArrivalGivesTheSameStoreHoweverItIsSealed) {
  std::vector<RawEvent> events = RandomEvents(9, 300, 20);
  std::shuffle(events.begin(), events.end(), std::mt19937_64(4));
  std::vector<RawEvent> doubled = events;  // with duplicates among them
  doubled.insert(doubled.end(), events.begin(), events.begin() + events.size() / 3);
  std::string reference;
  uint64_t distinct = 0;
  {
    ScratchDir dir;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(), &store).ok());
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(doubled, &rejects, &stats).ok());  // one stage, one seal
    reference = DumpStore(*store);
    distinct = stats.accepted;
  }
  for (size_t seal_every : {size_t{97}, size_t{1000}, doubled.size()}) {
    ScratchDir dir;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(), &store).ok());
    IngestStats total;
    for (size_t i = 0; i < doubled.size(); i += 61) {
      const size_t n = std::min<size_t>(61, doubled.size() - i);
      ASSERT_TRUE(StageAll(store.get(), std::span<const RawEvent>(doubled.data() + i, n)).ok());
      if (store->staged_events() >= seal_every) {
        ASSERT_TRUE(store->Seal(&total).ok());
      }
    }
    ASSERT_TRUE(store->Seal(&total).ok());
    EXPECT_EQ(total.accepted, distinct) << seal_every;
    EXPECT_EQ(total.duplicates, doubled.size() - distinct) << seal_every;
    EXPECT_EQ(DumpStore(*store), reference) << "sealing every " << seal_every;
  }
}

}  // namespace
}  // namespace kpi::storage
