// Live counts in zone maps (storage/zone_map.h): every zone map that says it
// knows them holds exactly the tickets and events a reader sees (the rows
// not replaced or retracted), whether the seal rewrote the segment or
// appended a delta part; a store written before them (zone map version 1,
// format 3) opens with them unknown, and Store::AddLiveCounts (kpi compact)
// fills them in with the same values a seal would have written; the
// writable open stamped the store with the current format (6).
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "storage/segment_codec.h"
#include "storage/store.h"
#include "storage/live_counts_fixture.h"
#include "storage/store/store_test_util.h"
#include "test_util.h"

namespace kpi::storage {
namespace {

using kpi::testing::CorrectionHistory;
using kpi::testing::ScratchDir;

StoreOptions Options(uint32_t max_deltas) { return kpi::testing::TickingStoreOptions(8, max_deltas); }

void IngestAll(Store* store, uint64_t seed) {
  for (const auto& batch : CorrectionHistory(seed, 60)) {
    std::vector<EventReject> rejects;
    IngestStats stats;
    ASSERT_TRUE(store->Ingest(batch, &rejects, &stats).ok());
    ASSERT_TRUE(rejects.empty()) << rejects[0].reason;
  }
}

struct Live {
  uint32_t tickets = 0, events = 0;
  bool operator==(const Live&) const = default;
};

// What a reader sees in the segment, counted by hand from every row: rows
// not marked dead; tickets with such a row.
Live Visible(const Segment& s) {
  std::vector<uint8_t> dead(s.num_events(), 0);
  for (uint32_t r : s.dead_rows) dead[r] = 1;
  Live live;
  for (uint32_t t = 0; t < s.num_tickets(); ++t) {
    uint32_t n = 0;
    for (uint32_t e = s.event_begin[t]; e < s.event_begin[t + 1]; ++e) n += !dead[e];
    live.events += n;
    live.tickets += n > 0;
  }
  return live;
}

struct Checked {
  size_t known = 0, unknown = 0, known_with_deltas = 0, with_dead_rows = 0;
};

// Compares every known live count with the segment's rows.
Checked CheckLiveCounts(const Store& store, std::map<std::pair<uint32_t, uint32_t>, Live>* counts = nullptr) {
  Checked c;
  auto snap = store.GetSnapshot();
  for (const SegmentRef& ref : snap->Plan(ScanSpec(), nullptr)) {
    std::shared_ptr<const Segment> s;
    EXPECT_TRUE(snap->Load(ref, &s).ok());
    c.with_dead_rows += !s->dead_rows.empty();
    if (!ref.zone.live_known) {
      c.unknown++;
      continue;
    }
    c.known++;
    c.known_with_deltas += ref.deltas > 0;
    const Live live{ref.zone.live_tickets, ref.zone.live_events};
    EXPECT_EQ(live, Visible(*s)) << "segment " << ref.partition << "/" << ref.segment << ", " << ref.deltas
                                 << " deltas";
    if (counts != nullptr) (*counts)[{ref.partition, ref.segment}] = live;
  }
  return c;
}

TEST(LiveCountsTest, ZoneMapsCountTheVisibleRowsWithAndWithoutDeltas) {
  for (uint32_t deltas : {0u, 16u}) {
    for (uint64_t seed : {7, 8, 9}) {
      SCOPED_TRACE("deltas " + std::to_string(deltas) + ", seed " + std::to_string(seed));
      ScratchDir dir("kpi-live");
      {
        std::unique_ptr<Store> store;
        ASSERT_TRUE(Store::Open(dir.path(), Options(deltas), &store).ok());
        IngestAll(store.get(), seed);
        const Checked c = CheckLiveCounts(*store);
        EXPECT_GT(c.with_dead_rows, 0u);  // the fixture holds corrections
        EXPECT_GT(c.known, c.unknown);
        if (deltas > 0) {
          EXPECT_GT(c.known_with_deltas, 0u);  // ExtendZoneMap kept them
        } else {
          EXPECT_EQ(c.unknown, 0u);  // unknown only through a delta part (ExtendZoneMap's conservative cases)
        }
      }
      // From disk, and after folding every delta: all known.
      StoreOptions o = Options(deltas);
      o.create_if_missing = false;
      std::unique_ptr<Store> store;
      ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
      CheckLiveCounts(*store);
      ASSERT_TRUE(store->FoldDeltas(SIZE_MAX, nullptr).ok());
      EXPECT_EQ(CheckLiveCounts(*store).unknown, 0u);
    }
  }
}

TEST(LiveCountsTest, StoreWithoutLiveCountsOpensAndAddLiveCountsFillsThemIn) {
  ScratchDir dir("kpi-live-old");
  std::map<std::pair<uint32_t, uint32_t>, Live> sealed;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), Options(16), &store).ok());
    IngestAll(store.get(), 11);
    ASSERT_TRUE(store->FoldDeltas(SIZE_MAX, nullptr).ok());
    EXPECT_EQ(CheckLiveCounts(*store, &sealed).unknown, 0u);
  }
  EXPECT_EQ(kpi::testing::StoredFormat(dir.path()), 6u);
  ASSERT_TRUE(kpi::testing::DowngradeToFormat3(dir.path()));
  EXPECT_EQ(kpi::testing::StoredFormat(dir.path()), 3u);
  StoreOptions o = Options(16);
  o.create_if_missing = false;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
    const Checked before = CheckLiveCounts(*store);
    EXPECT_EQ(before.known, 0u);
    EXPECT_EQ(before.unknown, sealed.size());
    uint64_t added = 0;
    ASSERT_TRUE(store->AddLiveCounts(&added).ok());
    EXPECT_EQ(added, sealed.size());
    std::map<std::pair<uint32_t, uint32_t>, Live> counted;
    EXPECT_EQ(CheckLiveCounts(*store, &counted).unknown, 0u);
    EXPECT_EQ(counted, sealed);
    ASSERT_TRUE(store->AddLiveCounts(&added).ok());
    EXPECT_EQ(added, 0u);
  }
  EXPECT_EQ(kpi::testing::StoredFormat(dir.path()), 6u);
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(dir.path(), o, &store).ok());
  std::map<std::pair<uint32_t, uint32_t>, Live> reopened;
  EXPECT_EQ(CheckLiveCounts(*store, &reopened).unknown, 0u);
  EXPECT_EQ(reopened, sealed);
}

TEST(LiveCountsTest, ZoneMapVersions) {
  ZoneMap z;
  z.min_time_ms = 5;
  z.max_time_ms = 9;
  z.num_tickets = 3;
  z.num_events = 10;
  z.min_batch = 1;
  z.max_batch = 4;
  z.lists = ZoneLists({1, 2}, {}, {});
  z.live_known = true;
  z.live_tickets = 2;
  z.live_events = 7;
  for (bool known : {true, false}) {
    z.live_known = known;
    std::string v2;
    z.Encode(&v2);
    ZoneMap back;
    ASSERT_TRUE(ZoneMap::Decode(v2, &back).ok());
    EXPECT_EQ(back.live_known, known);
    EXPECT_EQ(back.live_tickets, known ? 2u : 0u);
    EXPECT_EQ(back.live_events, known ? 7u : 0u);
    EXPECT_EQ(back.num_events, 10u);
  }
  std::string v1;
  z.live_known = true;
  z.Encode(&v1, 1);
  ZoneMap old;
  ASSERT_TRUE(ZoneMap::Decode(v1, &old).ok());
  EXPECT_FALSE(old.live_known);
  EXPECT_EQ(old.lists.events(), z.lists.events());
  // Counts a segment cannot hold are corruption.
  z.live_tickets = 4;
  std::string bad;
  z.Encode(&bad);
  EXPECT_FALSE(ZoneMap::Decode(bad, &old).ok());
  EXPECT_FALSE(ZoneMap::Decode(v1 + "x", &old).ok());
}

}  // namespace
}  // namespace kpi::storage
